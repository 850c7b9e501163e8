/*
 * tests/unit/test_msg.c: the BGP-4 message codec (bgpd/msg.c, update.c)
 * against hand-written byte vectors, plus the malformed cases of RFC 4271
 * §6 and RFC 7606.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "msg.h"
#include "testutil.h"

#define upd (*tu_upd)
static uint8_t out[8192];

static const struct bgp_parse_ctx ctx_as4 = {.as4 = 1, .ebgp = 0};
static const struct bgp_parse_ctx ctx_as2 = {.as4 = 0, .ebgp = 0};
static const struct bgp_parse_ctx ctx_ebgp4 = {.as4 = 1, .ebgp = 1};

/* ---- helpers ----------------------------------------------------------- */

static size_t
mkmsg(uint8_t *buf, uint8_t type, const uint8_t *body, size_t blen)
{
	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)((blen + BGP_HDR_LEN) >> 8);
	buf[17] = (uint8_t)(blen + BGP_HDR_LEN);
	buf[18] = type;
	memcpy(buf + BGP_HDR_LEN, body, blen);
	return blen + BGP_HDR_LEN;
}

static int
upd_body(const uint8_t *body, size_t len, const struct bgp_parse_ctx *ctx)
{
	struct ibuf b;

	ibuf_init(&b, body, len);
	return bgp_update_parse(&b, ctx, &upd, &tu_err);
}

/* A whole message: header checked, then the body. */
static int
upd_msg(const uint8_t *msg, size_t len, const struct bgp_parse_ctx *ctx)
{
	uint8_t type;
	uint16_t mlen;

	assert_int_equal(bgp_hdr_parse(msg, &type, &mlen, &tu_err), 0);
	assert_int_equal(type, BGP_UPDATE);
	assert_int_equal(mlen, len);
	return upd_body(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, ctx);
}

static int
open_body(const uint8_t *body, size_t len, struct bgp_open *o)
{
	struct ibuf b;

	ibuf_init(&b, body, len);
	return bgp_open_parse(&b, o, &tu_err);
}

static void
assert_pfx(const struct wr_prefix *p, const char *want)
{
	char buf[WR_PFXSTRLEN];

	assert_string_equal(prefix_ntop(p, buf, sizeof(buf)), want);
}

static void
assert_aspath(const struct rib_attrs *a, const char *want)
{
	char buf[256];

	assert_true(aspath_valid(a->aspath, a->aspath_len));
	aspath_fmt(a->aspath, a->aspath_len, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
mkpfx(struct wr_prefix *p, const char *s)
{
	assert_int_equal(prefix_parse(s, p), 0);
}

static int
contains(const uint8_t *hay, size_t hlen, const uint8_t *n, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= hlen; i++)
		if (memcmp(hay + i, n, nlen) == 0)
			return 1;
	return 0;
}

/* ---- OPEN -------------------------------------------------------------- */

/* AS 64512, hold 90, id 198.18.0.1; MP IPv4, RR, AS4, GR (R, 120 s, F) */
/* clang-format off */
static const uint8_t open_vec[] = {
	M16, 0x00, 0x35, 0x01,
	0x04, 0xfc, 0x00, 0x00, 0x5a, 0xc6, 0x12, 0x00, 0x01,
	0x18,				/* opt param len 24 */
	0x02, 0x16,			/* capabilities, 22 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
	0x02, 0x00,				/* route refresh */
	0x41, 0x04, 0x00, 0x00, 0xfc, 0x00,	/* AS4 64512 */
	0x40, 0x06, 0x80, 0x78, 0x00, 0x01, 0x01, 0x80,	/* GR */
};
/* clang-format on */

static void
fill_open(struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = 64512;
	o->holdtime = 90;
	o->bgp_id = 0xc6120001;
	o->caps.mp = BGP_MP_IPV4_UNICAST;
	o->caps.route_refresh = 1;
	o->caps.as4 = 1;
	o->caps.as4_value = 64512;
	o->caps.gr = 1;
	o->caps.gr_time = 120;
	o->caps.gr_flags = 0x8;
	o->caps.gr_fwd = BGP_MP_IPV4_UNICAST;
}

static void
test_open_encode(void **state)
{
	struct bgp_open o;
	struct wbuf w;

	fill_open(&o);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_int_equal(w.len, sizeof(open_vec));
	assert_memory_equal(out, open_vec, sizeof(open_vec));
}

static void
test_open_parse(void **state)
{
	struct bgp_open o, want;
	uint8_t type;
	uint16_t len;

	assert_int_equal(bgp_hdr_parse(open_vec, &type, &len, &tu_err), 0);
	assert_int_equal(type, BGP_OPEN);
	assert_int_equal(len, sizeof(open_vec));
	assert_int_equal(open_body(open_vec + 19, len - 19, &o), 0);
	fill_open(&want);
	/* the families listed in the graceful restart capability */
	want.caps.gr_afs = BGP_MP_IPV4_UNICAST;
	assert_int_equal(o.version, 4);
	assert_int_equal(o.my_as, 64512);
	assert_int_equal(o.holdtime, 90);
	assert_int_equal(o.bgp_id, 0xc6120001);
	assert_memory_equal(&o.caps, &want.caps, sizeof(o.caps));
}

static void
test_open_as_trans(void **state)
{
	struct bgp_open o, p;
	struct wbuf w;

	fill_open(&o);
	o.caps.as4_value = 4200000000u;
	o.caps.mp |= BGP_MP_IPV6_UNICAST;
	o.caps.enhanced_rr = 1;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_int_equal(out[20], AS_TRANS >> 8);
	assert_int_equal(out[21], AS_TRANS & 0xff);
	assert_int_equal(open_body(out + 19, w.len - 19, &p), 0);
	assert_int_equal(p.my_as, AS_TRANS);
	assert_int_equal(p.caps.as4_value, 4200000000u);
	assert_int_equal(p.caps.mp, BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST);
	assert_int_equal(p.caps.gr_fwd, BGP_MP_IPV4_UNICAST);
	assert_true(p.caps.enhanced_rr);
}

/* An old speaker: no optional parameters at all. */
static void
test_open_2octet(void **state)
{
	/* clang-format off */
	static const uint8_t body[] = {
		0x04, 0xfd, 0xe9, 0x00, 0xb4, 0x0a, 0x00, 0x00, 0x01, 0x00,
	};
	/* clang-format on */
	struct bgp_open o;
	uint8_t msg[64], type;
	uint16_t len;

	/* the header says 29: the shortest OPEN there is */
	assert_int_equal(mkmsg(msg, BGP_OPEN, body, sizeof(body)), 29);
	assert_int_equal(bgp_hdr_parse(msg, &type, &len, &tu_err), 0);
	assert_int_equal(type, BGP_OPEN);
	assert_int_equal(open_body(msg + 19, len - 19, &o), 0);
	assert_int_equal(o.my_as, 65001);
	assert_int_equal(o.holdtime, 180);
	assert_int_equal(o.bgp_id, 0x0a000001);
	assert_int_equal(o.caps.as4, 0);
	assert_int_equal(o.caps.mp, 0);
	assert_int_equal(o.caps.route_refresh, 0);
}

/* Unknown capabilities and families ignored; RFC 9072 extended params. */
static void
test_open_ext_params(void **state)
{
	/* clang-format off */
	static const uint8_t body[] = {
		0x04, 0xfd, 0xe9, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
		0xff, 0xff, 0x00, 0x13,		/* RFC 9072, 19 octets */
		0x02, 0x00, 0x10,		/* capabilities, 16 */
		0x01, 0x04, 0x00, 0x02, 0x00, 0x01,	/* MP IPv6 */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x80,	/* MP VPNv4 */
		0x49, 0x02, 0x61, 0x62,		/* FQDN: unknown here */
	};
	/* clang-format on */
	struct bgp_open o;

	assert_int_equal(open_body(body, sizeof(body), &o), 0);
	assert_int_equal(o.holdtime, 0);
	assert_int_equal(o.caps.mp, BGP_MP_IPV6_UNICAST);
}

static void
test_open_errors(void **state)
{
	uint8_t body[] = {
	    0x04, 0xfd, 0xe9, 0x00, 0xb4, 0x0a, 0x00, 0x00, 0x01,
	    0x08, 0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9,
	};
	uint8_t b[sizeof(body)];
	struct bgp_open o;

	assert_int_equal(open_body(body, sizeof(body), &o), 0);
	assert_int_equal(o.caps.as4_value, 65001);

	memcpy(b, body, sizeof(b));
	b[0] = 3; /* version 3 */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_VERSION);
	assert_int_equal(tu_err.datalen, 2);
	assert_int_equal(tu_err.data[0], 0);
	assert_int_equal(tu_err.data[1], 4);

	memcpy(b, body, sizeof(b));
	b[4] = 2; /* hold time 2 */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_HOLDTIME);

	memcpy(b, body, sizeof(b));
	memset(b + 5, 0, 4); /* BGP identifier 0 */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_BGPID);

	memcpy(b, body, sizeof(b));
	b[9] = 9; /* opt param length past the end */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);

	memcpy(b, body, sizeof(b));
	b[11] = 7; /* parameter length past the end */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);

	memcpy(b, body, sizeof(b));
	b[13] = 5; /* capability length past the parameter */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);

	memcpy(b, body, sizeof(b));
	b[10] = 1; /* authentication parameter */
	assert_int_equal(open_body(b, sizeof(b), &o), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_OPT);

	/* 4-octet AS capability of the wrong length */
	assert_int_equal(
	    open_body((const uint8_t[]){0x04, 0xfd, 0xe9, 0x00, 0xb4, 0x0a,
					0x00, 0x00, 0x01, 0x07, 0x02, 0x05,
					0x41, 0x03, 0x00, 0xfd, 0xe9},
		      17, &o),
	    -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);

	/* too short for the fixed part */
	assert_int_equal(open_body(body, 9, &o), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
}

/* ---- header, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH -------------------- */

static void
hdr_expect(uint8_t *h, uint8_t code, uint8_t subcode, size_t datalen,
	   uint16_t data)
{
	uint8_t type;
	uint16_t len;

	assert_int_equal(bgp_hdr_parse(h, &type, &len, &tu_err), -1);
	tu_assert_err(code, subcode);
	assert_int_equal(tu_err.datalen, datalen);
	if (datalen == 2)
		assert_int_equal(tu_err.data[0] << 8 | tu_err.data[1], data);
	else if (datalen == 1)
		assert_int_equal(tu_err.data[0], data);
}

static void
test_hdr_errors(void **state)
{
	uint8_t h[BGP_HDR_LEN] = {M16, 0x00, 0x13, BGP_KEEPALIVE};
	uint8_t type;
	uint16_t len;

	assert_int_equal(bgp_hdr_parse(h, &type, &len, &tu_err), 0);
	h[3] = 0xfe;
	hdr_expect(h, ERR_HEADER, ERR_HDR_SYNC, 0, 0);
	h[3] = 0xff;
	h[17] = 18;
	hdr_expect(h, ERR_HEADER, ERR_HDR_LEN, 2, 18);
	h[16] = 0x10;
	h[17] = 0x01;
	hdr_expect(h, ERR_HEADER, ERR_HDR_LEN, 2, 4097);
	h[16] = 0;
	h[17] = 20; /* KEEPALIVE of 20 */
	hdr_expect(h, ERR_HEADER, ERR_HDR_LEN, 2, 20);
	h[18] = BGP_OPEN; /* OPEN of 20 < 29 */
	hdr_expect(h, ERR_HEADER, ERR_HDR_LEN, 2, 20);
	h[18] = BGP_ROUTE_REFRESH;
	hdr_expect(h, ERR_HEADER, ERR_HDR_LEN, 2, 20);
	h[18] = 6;
	hdr_expect(h, ERR_HEADER, ERR_HDR_TYPE, 1, 6);
	h[18] = 0;
	hdr_expect(h, ERR_HEADER, ERR_HDR_TYPE, 1, 0);
	h[17] = 23;
	h[18] = BGP_UPDATE;
	assert_int_equal(bgp_hdr_parse(h, &type, &len, &tu_err), 0);
	assert_int_equal(len, 23);
}

static void
test_keepalive(void **state)
{
	static const uint8_t want[] = {M16, 0x00, 0x13, 0x04};
	struct wbuf w;
	struct ibuf b;
	uint8_t type;
	uint16_t len;

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_keepalive_encode(&w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(bgp_hdr_parse(out, &type, &len, &tu_err), 0);
	assert_int_equal(type, BGP_KEEPALIVE);
	ibuf_init(&b, out + 19, 0);
	assert_int_equal(bgp_keepalive_parse(&b, &tu_err), 0);
	ibuf_init(&b, out, 1);
	assert_int_equal(bgp_keepalive_parse(&b, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);

	/* too small a wbuf: nothing usable */
	wbuf_init(&w, out, 18);
	assert_int_equal(bgp_keepalive_encode(&w), -1);
	assert_int_equal(w.len, 0);
}

static void
test_notify(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x18, 0x03, 0x06, 0x04, 0x62, 0x79, 0x65,
	};
	/* clang-format on */
	struct bgp_notify n;
	struct wbuf w;
	struct ibuf b;
	char buf[80];

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
	    bgp_notify_encode(&w, ERR_CEASE, ERR_CEASE_ADMIN_RESET, "bye", 3),
	    0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	ibuf_init(&b, want + 19, sizeof(want) - 19);
	assert_int_equal(bgp_notify_parse(&b, &n), 0);
	assert_int_equal(n.code, ERR_CEASE);
	assert_int_equal(n.subcode, ERR_CEASE_ADMIN_RESET);
	assert_int_equal(n.datalen, 3);
	assert_memory_equal(n.data, "bye", 3);
	assert_string_equal(bgp_err_str(n.code, n.subcode, buf, sizeof(buf)),
			    "Cease/Administrative Reset");
	ibuf_init(&b, want + 19, 1);
	assert_int_equal(bgp_notify_parse(&b, &n), -1);

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_notify_encode(&w, ERR_HOLDTIMER, 0, NULL, 0), 0);
	assert_int_equal(w.len, 21);
	assert_int_equal(bgp_notify_encode(&w, 1, 1, out, 4096), -1);
}

static void
test_names(void **state)
{
	char buf[80];

	assert_string_equal(bgp_msg_name(BGP_OPEN), "OPEN");
	assert_string_equal(bgp_msg_name(BGP_ROUTE_REFRESH), "ROUTE-REFRESH");
	assert_string_equal(bgp_msg_name(99), "unknown");
	assert_string_equal(
	    bgp_err_str(ERR_UPDATE, ERR_UPD_ASPATH, buf, sizeof(buf)),
	    "UPDATE Message Error/Malformed AS_PATH");
	assert_string_equal(bgp_err_str(ERR_HOLDTIMER, 0, buf, sizeof(buf)),
			    "Hold Timer Expired");
	assert_string_equal(bgp_err_str(ERR_OPEN, 99, buf, sizeof(buf)),
			    "OPEN Message Error/99");
	assert_string_equal(bgp_err_str(42, 7, buf, sizeof(buf)), "42/7");
	assert_string_equal(bgp_err_str(ERR_HEADER, ERR_HDR_SYNC, buf, 8),
			    "Message");
}

static void
test_rrefresh(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x17, 0x05, 0x00, 0x01, 0x01, 0x01,
	};
	/* clang-format on */
	struct bgp_rrefresh rr = {AFI_IPV4, RREFRESH_BORR, SAFI_UNICAST};
	struct bgp_rrefresh p;
	struct wbuf w;
	struct ibuf b;

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_rrefresh_encode(&w, &rr), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	ibuf_init(&b, want + 19, 4);
	assert_int_equal(bgp_rrefresh_parse(&b, &p, &tu_err), 0);
	assert_memory_equal(&p, &rr, sizeof(p));
	ibuf_init(&b, want + 19, 3);
	assert_int_equal(bgp_rrefresh_parse(&b, &p, &tu_err), -1);
	tu_assert_err(ERR_RREFRESH, ERR_RREFRESH_LEN);
}

/* ---- UPDATE ------------------------------------------------------------ */

/* clang-format off */
#define ATTRS_VEC							\
	0x40, 0x01, 0x01, 0x00,				/* ORIGIN IGP */ \
	0x40, 0x02, 0x0a, 0x02, 0x02, 0x00, 0x00, 0xfc, 0x00,		\
	    0x00, 0x00, 0xfc, 0x01,		/* AS_PATH 64512 64513 */ \
	0x40, 0x03, 0x04, 0xc6, 0x12, 0x00, 0x02,	/* NEXT_HOP */	\
	0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x32,	/* MED 50 */	\
	0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0xc8,	/* LP 200 */	\
	0x40, 0x06, 0x00,				/* ATOMIC */	\
	0xc0, 0x07, 0x08, 0x00, 0x00, 0xfc, 0x00,			\
	    0x01, 0x02, 0x03, 0x04,		/* AGGREGATOR */	\
	0xc0, 0x08, 0x04, 0xfc, 0x00, 0x00, 0x64	/* 64512:100 */

#define NLRI_VEC							\
	0x20, 0x0a, 0xf4, 0x01, 0x05,		/* 10.244.1.5/32 */	\
	0x18, 0x0a, 0xf4, 0x02			/* 10.244.2.0/24 */
/* clang-format on */

/* clang-format off */
static const uint8_t upd_vec[] = {
	M16, 0x00, 0x62, 0x02,
	0x00, 0x07,
	0x10, 0x0a, 0x01,			/* 10.1.0.0/16 */
	0x14, 0x0a, 0x01, 0xff,			/* 10.1.255.0/20: masked */
	0x00, 0x3b, ATTRS_VEC, NLRI_VEC,
};
/* clang-format on */

/* What bgp_update_encode_announce() must make of the same attributes. */
/* clang-format off */
static const uint8_t announce_vec[] = {
	M16, 0x00, 0x5b, 0x02,
	0x00, 0x00, 0x00, 0x3b, ATTRS_VEC, NLRI_VEC,
};
/* clang-format on */

static void
test_update_parse(void **state)
{
	const struct rib_attrs *a = &upd.attrs;
	static const uint8_t comm[] = {0xfc, 0x00, 0x00, 0x64};
	char buf[WR_ADDRSTRLEN];

	assert_int_equal(upd_msg(upd_vec, sizeof(upd_vec), &ctx_as4), 0);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nwithdrawn, 2);
	assert_pfx(&upd.withdrawn[0], "10.1.0.0/16");
	assert_pfx(&upd.withdrawn[1], "10.1.240.0/20");
	assert_int_equal(upd.nnlri, 2);
	assert_pfx(&upd.nlri[0], "10.244.1.5/32");
	assert_pfx(&upd.nlri[1], "10.244.2.0/24");
	assert_true(upd.has_attrs);
	assert_false(upd.treat_as_withdraw);
	assert_false(upd.end_of_rib);
	assert_int_equal(a->origin, ORIGIN_IGP);
	assert_aspath(a, "64512 64513");
	assert_int_equal(a->nexthop.af, AF_INET);
	assert_string_equal(addr_ntop(&a->nexthop, buf, sizeof(buf)),
			    "198.18.0.2");
	assert_int_equal(a->flags, RIB_A_MED | RIB_A_LOCAL_PREF |
				       RIB_A_ATOMIC_AGG | RIB_A_AGGREGATOR);
	assert_int_equal(a->med, 50);
	assert_int_equal(a->local_pref, 200);
	assert_int_equal(a->aggregator_as, 64512);
	assert_int_equal(a->aggregator_id, 0x01020304);
	assert_int_equal(a->communities_len, 4);
	assert_memory_equal(a->communities, comm, 4);
	assert_int_equal(a->unknown_len, 0);
	assert_null(a->hnext);
	assert_int_equal(a->refcnt, 0);
}

static void
test_update_announce(void **state)
{
	struct rib_attrs a;
	struct wr_prefix p[2];
	struct wbuf w;

	assert_int_equal(upd_msg(upd_vec, sizeof(upd_vec), &ctx_as4), 0);
	a = upd.attrs;
	memcpy(p, upd.nlri, sizeof(p));
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as4, p, 2), 2);
	assert_int_equal(w.len, sizeof(announce_vec));
	assert_memory_equal(out, announce_vec, sizeof(announce_vec));

	/* no IPv4 next hop: nothing written */
	a.nexthop.af = 0;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as4, p, 2), 0);
	assert_int_equal(w.len, 0);
}

/* 4-octet path [65001 4200000001 65002], aggregator 4200000002 */
static void
wide_attrs(struct rib_attrs *a, uint8_t *path)
{
	/* clang-format off */
	static const uint8_t p[] = {
		0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
		0x00, 0x00, 0xfd, 0xea,
	};
	/* clang-format on */

	memcpy(path, p, sizeof(p));
	memset(a, 0, sizeof(*a));
	a->origin = ORIGIN_EGP;
	a->aspath = path;
	a->aspath_len = sizeof(p);
	addr_from_v4(&a->nexthop, 0x0a000001);
	a->flags = RIB_A_AGGREGATOR | RIB_A_MED;
	a->med = 7;
	a->aggregator_as = 4200000002u;
	a->aggregator_id = 0x0a000009;
}

static void
roundtrip(const struct bgp_parse_ctx *ctx)
{
	struct rib_attrs a;
	struct wr_prefix p;
	struct wbuf w;
	uint8_t path[64];

	wide_attrs(&a, path);
	mkpfx(&p, "10.244.9.0/24");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, ctx, &p, 1), 1);
	assert_int_equal(upd_msg(out, w.len, ctx), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1);
	assert_pfx(&upd.nlri[0], "10.244.9.0/24");
	assert_int_equal(upd.attrs.origin, ORIGIN_EGP);
	assert_int_equal(upd.attrs.aspath_len, a.aspath_len);
	assert_memory_equal(upd.attrs.aspath, a.aspath, a.aspath_len);
	assert_int_equal(upd.attrs.flags, a.flags);
	assert_int_equal(upd.attrs.med, 7);
	assert_int_equal(upd.attrs.aggregator_as, 4200000002u);
	assert_int_equal(upd.attrs.aggregator_id, 0x0a000009);
	assert_int_equal(addr_cmp(&upd.attrs.nexthop, &a.nexthop), 0);
}

static void
test_roundtrip_as4(void **state)
{
	roundtrip(&ctx_as4);
}

/* RFC 6793 §4.2.2: AS_TRANS in AS_PATH/AGGREGATOR, the truth in AS4_* */
static void
test_roundtrip_as2(void **state)
{
	/* clang-format off */
	static const uint8_t aspath2[] = {
		0x40, 0x02, 0x08, 0x02, 0x03, 0xfd, 0xe9, 0x5b, 0xa0,
		0xfd, 0xea,
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9,
		0xfa, 0x56, 0xea, 0x01, 0x00, 0x00, 0xfd, 0xea,
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t aggr[] = {
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 0x0a, 0x00, 0x00, 0x09,
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t as4aggr[] = {
		0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x02, 0x0a, 0x00, 0x00, 0x09,
	};
	/* clang-format on */
	struct rib_attrs a;
	struct wr_prefix p;
	struct wbuf w;
	uint8_t path[64];

	wide_attrs(&a, path);
	mkpfx(&p, "10.244.9.0/24");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as2, &p, 1),
			 1);
	assert_true(contains(out, w.len, aspath2, sizeof(aspath2)));
	assert_true(contains(out, w.len, as4path, sizeof(as4path)));
	assert_true(contains(out, w.len, aggr, sizeof(aggr)));
	assert_true(contains(out, w.len, as4aggr, sizeof(as4aggr)));
	roundtrip(&ctx_as2);
}

/* RFC 6793 §4.2.3: AS_PATH longer than AS4_PATH: keep its leading ASes */
static void
test_as4path_merge(void **state)
{
	/* clang-format off */
	static const uint8_t body[] = {
		0x00, 0x00, 0x00, 0x2d,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x0c, 0x01, 0x01, 0xfd, 0xf2,	/* {65010} */
		    0x02, 0x03, 0xfd, 0xe9, 0x5b, 0xa0, 0xfd, 0xea,
		0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,
		0xc0, 0x11, 0x10, 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01,
		    0x00, 0x00, 0xfd, 0xea, 0x03, 0x01, 0x00, 0x00, 0x00, 0x01,
		0x18, 0x0a, 0x00, 0x01,
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t shorter[] = {
		0x00, 0x00, 0x00, 0x1f,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xf2,
		0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,
		0xc0, 0x11, 0x0a, 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01,
		    0x00, 0x00, 0xfd, 0xea,
		0x18, 0x0a, 0x00, 0x01,
	};
	/* clang-format on */

	assert_int_equal(upd_body(body, sizeof(body), &ctx_as2), 0);
	assert_false(upd.treat_as_withdraw);
	/* the confed segment in AS4_PATH is dropped (RFC 6793 §6) */
	assert_aspath(&upd.attrs, "{65010} 65001 4200000001 65002");

	/* AS_PATH shorter than AS4_PATH: AS4_PATH ignored */
	assert_int_equal(upd_body(shorter, sizeof(shorter), &ctx_as2), 0);
	assert_false(upd.treat_as_withdraw);
	assert_aspath(&upd.attrs, "65010");

	/* from a 4-octet speaker AS4_PATH is discarded (RFC 6793 §6) */
	assert_int_equal(upd_body(body, sizeof(body), &ctx_as4), 0);
	assert_true(upd.treat_as_withdraw); /* 2-octet AS_PATH */
}

/* RFC 6793 §4.2.3: an AGGREGATOR not AS_TRANS voids AS4_PATH */
static void
test_as4path_aggregator(void **state)
{
	/* clang-format off */
	static const uint8_t body[] = {
		0x00, 0x00, 0x00, 0x24,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
		0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,
		0xc0, 0x07, 0x06, 0xfd, 0xe9, 0x0a, 0x00, 0x00, 0x09,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01,
		0x18, 0x0a, 0x00, 0x01,
	};
	/* clang-format on */

	assert_int_equal(upd_body(body, sizeof(body), &ctx_as2), 0);
	assert_false(upd.treat_as_withdraw);
	assert_aspath(&upd.attrs, "23456");
	assert_int_equal(upd.attrs.aggregator_as, 65001);
}

/* A path longer than 255 octets needs the Extended Length bit. */
static void
test_extended_length(void **state)
{
	static uint8_t path[2 + 100 * 4];
	struct rib_attrs a;
	struct wr_prefix p;
	struct wbuf w;
	size_t i;

	path[0] = AS_SEQUENCE;
	path[1] = 100;
	for (i = 0; i < 100; i++) {
		path[2 + 4 * i] = 0xfa;
		path[5 + 4 * i] = (uint8_t)i;
	}
	memset(&a, 0, sizeof(a));
	a.aspath = path;
	a.aspath_len = sizeof(path);
	addr_from_v4(&a.nexthop, 0x0a000001);
	mkpfx(&p, "10.0.0.0/8");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as4, &p, 1),
			 1);
	assert_true(
	    contains(out, w.len, (const uint8_t[]){0x50, 0x02, 0x01, 0x92}, 4));
	assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
	assert_int_equal(upd.attrs.aspath_len, sizeof(path));
	assert_memory_equal(upd.attrs.aspath, path, sizeof(path));

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as2, &p, 1),
			 1);
	assert_int_equal(upd_msg(out, w.len, &ctx_as2), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.attrs.aspath_len, sizeof(path));
	assert_memory_equal(upd.attrs.aspath, path, sizeof(path));
}

#define NPACK 2000

static void
pack_prefixes(struct wr_prefix *p)
{
	size_t i;

	for (i = 0; i < NPACK; i++)
		addr_from_v4(&p[i].addr, 0x0a000000 | (uint32_t)i);
	for (i = 0; i < NPACK; i++)
		p[i].len = 32;
}

static size_t
check_packed(uint8_t *seen, const struct wr_prefix *list, size_t n)
{
	size_t i, idx;

	for (i = 0; i < n; i++) {
		assert_int_equal(list[i].len, 32);
		idx = ntohl(list[i].addr.v4.s_addr) & 0xffff;
		assert_true(idx < NPACK);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
	}
	return n;
}

static void
test_pack_announce(void **state)
{
	static struct wr_prefix p[NPACK];
	static uint8_t seen[NPACK];
	struct rib_attrs a;
	struct wbuf w;
	size_t done = 0, k, got = 0, msgs = 0;

	pack_prefixes(p);
	assert_int_equal(upd_msg(upd_vec, sizeof(upd_vec), &ctx_as4), 0);
	a = upd.attrs;
	while (done < NPACK) {
		wbuf_init(&w, out, sizeof(out));
		k = bgp_update_encode_announce(&w, &a, &ctx_as4, p + done,
					       NPACK - done);
		assert_true(k > 0);
		assert_true(w.len <= BGP_MAX_LEN);
		assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
		assert_int_equal(upd.nnlri, k);
		got += check_packed(seen, upd.nlri, upd.nnlri);
		done += k;
		msgs++;
	}
	assert_int_equal(got, NPACK);
	assert_true(msgs >= 3);
	assert_int_equal(w.len, BGP_HDR_LEN + 4 + 59 + 5 * (NPACK % 802));
}

static void
test_pack_withdraw(void **state)
{
	static struct wr_prefix p[NPACK];
	static uint8_t seen[NPACK];
	struct wbuf w;
	size_t done = 0, k, got = 0;

	pack_prefixes(p);
	while (done < NPACK) {
		wbuf_init(&w, out, sizeof(out));
		k = bgp_update_encode_withdraw(&w, p + done, NPACK - done);
		assert_true(k > 0);
		assert_true(w.len <= BGP_MAX_LEN);
		assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
		assert_int_equal(upd.nwithdrawn, k);
		assert_int_equal(upd.nnlri, 0);
		assert_false(upd.end_of_rib);
		got += check_packed(seen, upd.withdrawn, upd.nwithdrawn);
		done += k;
		if (done < NPACK) /* (4096 - 23) / 5 */
			assert_int_equal(k, 814);
	}
	assert_int_equal(got, NPACK);

	/* a wbuf that cannot hold one prefix: nothing written */
	wbuf_init(&w, out, 24);
	assert_int_equal(bgp_update_encode_withdraw(&w, p, 1), 0);
	assert_int_equal(w.len, 0);
	wbuf_init(&w, out, 28);
	assert_int_equal(bgp_update_encode_withdraw(&w, p, 2), 1);
	assert_int_equal(w.len, 28);
}

static void
test_eor(void **state)
{
	static const uint8_t want[] = {M16, 0x00, 0x17, 0x02, 0, 0, 0, 0};
	/* clang-format off */
	static const uint8_t v6eor[] = {
		0x00, 0x00, 0x00, 0x06, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
	};
	/* clang-format on */
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_eor(&w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
	assert_int_equal(upd.end_of_rib, 1);
	assert_false(upd.has_attrs);

	assert_int_equal(upd_body(v6eor, sizeof(v6eor), &ctx_as4), 0);
	assert_int_equal(upd.end_of_rib, BGP_MP_IPV6_UNICAST);
	assert_false(upd.treat_as_withdraw);

	/* a withdrawal is not an End-of-RIB */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x02, 0x08, 0x0a, 0x00, 0x00}, 6,
		     &ctx_as4),
	    0);
	assert_false(upd.end_of_rib);
	assert_int_equal(upd.nwithdrawn, 1);
}

/* ---- malformed UPDATEs ------------------------------------------------- */

/*
 * A valid body: ORIGIN, AS_PATH (4-octet), NEXT_HOP, then `extra` attribute
 * bytes, then one NLRI 10.0.1.0/24.  Returns the length.
 */
static size_t
mkupd(uint8_t *b, const uint8_t *extra, size_t elen, int nexthop)
{
	/* clang-format off */
	static const uint8_t base[] = {
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfc, 0x00,
	};
	/* clang-format on */
	static const uint8_t nh[] = {0x40, 0x03, 0x04, 0x0a, 0, 0, 1};
	static const uint8_t nlri[] = {0x18, 0x0a, 0x00, 0x01};
	size_t alen = sizeof(base) + elen + (nexthop ? sizeof(nh) : 0), n;

	b[0] = b[1] = 0;
	b[2] = (uint8_t)(alen >> 8);
	b[3] = (uint8_t)alen;
	memcpy(b + 4, base, sizeof(base));
	n = 4 + sizeof(base);
	if (nexthop) {
		memcpy(b + n, nh, sizeof(nh));
		n += sizeof(nh);
	}
	if (elen > 0)
		memcpy(b + n, extra, elen);
	n += elen;
	memcpy(b + n, nlri, sizeof(nlri));
	return n + sizeof(nlri);
}

static int
upd_extra(const uint8_t *extra, size_t elen, const struct bgp_parse_ctx *c)
{
	static uint8_t b[512]; /* upd.attrs points into it */

	return upd_body(b, mkupd(b, extra, elen, 1), c);
}

#define EXTRA(c, ...)                                                          \
	upd_extra((const uint8_t[]){__VA_ARGS__},                              \
		  sizeof((const uint8_t[]){__VA_ARGS__}), c)

static void
assert_withdraw(uint8_t subcode)
{
	assert_true(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1); /* to be withdrawn */
	assert_pfx(&upd.nlri[0], "10.0.1.0/24");
	tu_assert_err(ERR_UPDATE, subcode);
}

static void
assert_clean(void)
{
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nnlri, 1);
}

static void
test_upd_lengths(void **state)
{
	uint8_t b[512];
	size_t n = mkupd(b, NULL, 0, 1);

	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_clean();

	/* total attribute length past the message */
	b[3] = (uint8_t)(n - 3);
	assert_int_equal(upd_body(b, n, &ctx_as4), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);

	/* withdrawn length past the message */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x10, 0x0a}, 3, &ctx_as4), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
	assert_int_equal(upd_body(b, 1, &ctx_as4), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);

	/*
	 * RFC 7606 §4: an attribute length past the attribute section =>
	 * treat-as-withdraw, the NLRI found from the Total Attribute Length
	 */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x05,
				       0x00, 0x18, 0x0a, 0x00, 0x01, 0x00},
		     13, &ctx_as4),
	    0);
	assert_true(upd.treat_as_withdraw);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
	assert_int_equal(upd.nnlri, 2);
	assert_pfx(&upd.nlri[0], "10.0.1.0/24");
	assert_pfx(&upd.nlri[1], "0.0.0.0/0");
	assert_int_equal(upd.events[0].act, BGP_ACT_WITHDRAW);
	assert_int_equal(upd.events[0].attr, ATTR_ORIGIN);
	assert_string_equal(upd.events[0].sec, "RFC 7606 §4");
	/* .. or a header cut short (fewer than 3 octets left) */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x02, 0x50, 0x01}, 6,
		     &ctx_as4),
	    0);
	assert_true(upd.treat_as_withdraw);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
	/* .. or an extended length cut short, after good attributes */
	n = mkupd(b, (const uint8_t[]){0x90, 0x63, 0x01}, 3, 1);
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ATTRLIST);

	/* prefix length 33 in NLRI and in withdrawn routes */
	b[3] = (uint8_t)(n - 8);
	b[n - 4] = 33;
	assert_int_equal(upd_body(b, n, &ctx_as4), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_NETWORK);
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x05, 0x21, 0x0a, 0x00, 0x00, 0x01,
				       0x00, 0x00},
		     9, &ctx_as4),
	    -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_NETWORK);
	/* a prefix cut short */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x02, 0x18, 0x0a, 0x00, 0x00}, 6,
		     &ctx_as4),
	    -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_NETWORK);
}

static void
test_upd_origin_aspath(void **state)
{
	uint8_t b[512];
	size_t n = mkupd(b, NULL, 0, 1);

	b[7] = 3; /* ORIGIN 3 */
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ORIGIN);

	n = mkupd(b, NULL, 0, 1);
	b[12] = 2; /* AS_PATH segment count 2 in 4 octets */
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ASPATH);

	n = mkupd(b, NULL, 0, 1);
	b[11] = 5; /* segment type 5 */
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ASPATH);

	n = mkupd(b, NULL, 0, 1);
	b[12] = 0; /* segment count 0 */
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ASPATH);

	/* a 4-octet path on a 2-octet session: 6 octets, count 1 */
	n = mkupd(b, NULL, 0, 1);
	assert_int_equal(upd_body(b, n, &ctx_as2), 0);
	assert_withdraw(ERR_UPD_ASPATH);

	n = mkupd(b, NULL, 0, 1);
	b[4] = 0xc0; /* ORIGIN flagged optional */
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ATTRFLAGS);
}

static void
test_upd_attr_rules(void **state)
{
	uint8_t b[512];
	size_t n;

	/* NEXT_HOP of 5 octets */
	n = mkupd(b, (const uint8_t[]){0x40, 0x03, 0x05, 1, 2, 3, 4, 5}, 8, 0);
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_NEXTHOP);

	/* MED of 3 octets */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x04, 0x03, 0, 0, 1), 0);
	assert_withdraw(ERR_UPD_ATTRLEN);

	/* LOCAL_PREF: from eBGP discarded, whatever its length */
	assert_int_equal(EXTRA(&ctx_ebgp4, 0x40, 0x05, 0x02, 0, 1), 0);
	assert_clean();
	assert_false(upd.attrs.flags & RIB_A_LOCAL_PREF);
	assert_int_equal(EXTRA(&ctx_ebgp4, 0x40, 0x05, 0x04, 0, 0, 0, 9), 0);
	assert_clean();
	assert_int_equal(upd.attrs.local_pref, 0);
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x05, 0x02, 0, 1), 0);
	assert_withdraw(ERR_UPD_ATTRLEN);

	/* ATOMIC_AGGREGATE and AGGREGATOR of a wrong length: discarded */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x06, 0x01, 0, 0xc0, 0x07, 0x06,
			       0xfd, 0xe9, 1, 2, 3, 4),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.flags, 0);
	assert_int_equal(upd.attrs.aggregator_as, 0);

	/* COMMUNITIES of 3 octets, or none */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x08, 0x03, 1, 2, 3), 0);
	assert_withdraw(ERR_UPD_OPTATTR);
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x08, 0x00), 0);
	assert_withdraw(ERR_UPD_OPTATTR);
	/* with the Partial bit they are fine */
	assert_int_equal(EXTRA(&ctx_as4, 0xe0, 0x08, 0x04, 1, 2, 3, 4), 0);
	assert_clean();
	assert_int_equal(upd.attrs.communities_len, 4);
}

static void
test_upd_nexthop(void **state)
{
	uint8_t b[512];
	size_t n;

	/* missing NEXT_HOP => treat-as-withdraw */
	n = mkupd(b, NULL, 0, 0);
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_MISSING_WK_ATTR);
	assert_int_equal(tu_err.datalen, 1);
	assert_int_equal(tu_err.data[0], ATTR_NEXT_HOP);

	/* an invalid one */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x03, 0x04, 0, 0, 0, 0), 0);
	assert_clean(); /* a duplicate: ignored */
	n = mkupd(b, (const uint8_t[]){0x40, 0x03, 0x04, 224, 0, 0, 5}, 7, 0);
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_NEXTHOP);

	/* NLRI without any attributes */
	assert_int_equal(upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x00,
						    0x18, 0x0a, 0x00, 0x01},
				  8, &ctx_as4),
			 0);
	assert_withdraw(ERR_UPD_MISSING_WK_ATTR);
	assert_int_equal(tu_err.data[0], ATTR_ORIGIN);
}

static void
test_upd_duplicate(void **state)
{
	/* RFC 7606 §3 g: a second ORIGIN is discarded */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x01, 0x01, 0x02), 0);
	assert_clean();
	assert_int_equal(upd.attrs.origin, ORIGIN_IGP);
	/* .. also a malformed second one */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x01, 0x01, 0x07), 0);
	assert_clean();
	/* .. a second MP_UNREACH_NLRI resets the session */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
			       0x80, 0x0f, 0x03, 0x00, 0x02, 0x01),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
}

static void
test_upd_unknown(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		0xe0, 0x63, 0x02, 0xab, 0xcd,
		0xf0, 0x64, 0x00, 0x01, 0xee,
	};
	/* clang-format on */
	struct rib_attrs a;
	struct wr_prefix p;
	struct wbuf w;

	/* unknown well-known: reset, the attribute as data */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x63, 0x01, 0x00), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_UNKNWN_WK_ATTR);
	assert_int_equal(tu_err.datalen, 4);
	assert_memory_equal(tu_err.data,
			    ((const uint8_t[]){0x40, 0x63, 0x01, 0x00}), 4);

	/* optional transitive: kept with Partial; non-transitive: dropped */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x63, 0x02, 0xab, 0xcd, 0x80,
			       0x65, 0x01, 0x00, 0xd0, 0x64, 0x00, 0x01, 0xee,
			       0xc0, 0x63, 0x01, 0x11),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.unknown_len, sizeof(want));
	assert_memory_equal(upd.attrs.unknown, want, sizeof(want));

	/* and passed on as they are, after the known ones */
	a = upd.attrs;
	p = upd.nlri[0];
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as4, &p, 1),
			 1);
	assert_memory_equal(out + w.len - 4 - sizeof(want), want, sizeof(want));
	assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
	assert_int_equal(upd.attrs.unknown_len, sizeof(want));
	assert_memory_equal(upd.attrs.unknown, want, sizeof(want));
}

static void
test_upd_mp(void **state)
{
	/* clang-format off */
	static const uint8_t mp4[] = {
		0x00, 0x00, 0x00, 0x1e,
		0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00,
		0x80, 0x0e, 0x0c, 0x00, 0x01, 0x01, 0x04, 0x0a, 0x00, 0x00, 0x07,
		    0x00, 0x10, 0xac, 0x10,
		0x80, 0x0f, 0x05, 0x00, 0x01, 0x01, 0x08, 0x0b,
	};
	/* clang-format on */
	char buf[WR_ADDRSTRLEN];

	/* IPv6 unicast with garbage inside: structure fine, content ignored */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0e, 0x0c, 0x00, 0x02, 0x01,
			       0x02, 0xfe, 0x80, 0x00, 0xff, 0x99, 0x88, 0x77,
			       0x66),
			 0);
	assert_clean();
	/* next hop length past the attribute: reset (RFC 7606 §7.11) */
	assert_int_equal(
	    EXTRA(&ctx_as4, 0x80, 0x0e, 0x05, 0x00, 0x02, 0x01, 0x10, 0xfe),
	    -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0e, 0x01, 0x00), -1);
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0f, 0x02, 0x00, 0x01), -1);
	/* wrong flags on MP_REACH_NLRI: cannot withdraw what it holds */
	assert_int_equal(
	    EXTRA(&ctx_as4, 0x40, 0x0e, 0x05, 0x00, 0x02, 0x01, 0x00, 0x00),
	    -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRFLAGS);
	/* unknown family */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0e, 0x06, 0x00, 0x19, 0x46,
			       0x00, 0x00, 0x42),
			 0);
	assert_clean();

	/* IPv4 unicast in MP_REACH_NLRI: taken, with its next hop */
	assert_int_equal(upd_body(mp4, sizeof(mp4), &ctx_as4), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1);
	assert_pfx(&upd.nlri[0], "172.16.0.0/16");
	assert_int_equal(upd.nwithdrawn, 1);
	assert_pfx(&upd.withdrawn[0], "11.0.0.0/8");
	assert_string_equal(addr_ntop(&upd.attrs.nexthop, buf, sizeof(buf)),
			    "10.0.0.7");
	assert_int_equal(upd.attrs.aspath_len, 0);
	/* .. with a bad next hop length */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0e, 0x06, 0x00, 0x01, 0x01,
			       0x01, 0x0a, 0x00),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
}

/* ---- IPv6 unicast and extended next hop (RFC 4760, 2545, 8950) -------- */

static const struct bgp_parse_ctx ctx_mp = {
    .as4 = 1, .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST};
static const struct bgp_parse_ctx ctx_enh = {.as4 = 1,
					     .mp = BGP_MP_IPV4_UNICAST |
						   BGP_MP_IPV6_UNICAST,
					     .ext_nh = BGP_MP_IPV4_UNICAST};

#define NH6                                                                    \
	0xfd, 0x00, 0x01, 0x98, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00,      \
	    0x00, 0x00, 0x00, 0x00, 0x01 /* fd00:198:18::1 */
#define LL6                                                                    \
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,      \
	    0x00, 0x00, 0x00, 0x00, 0x01 /* fe80::1 */
#define W128                                                                   \
	0x80, 0xfd, 0x00, 0x02, 0x44, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,      \
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x05 /* fd00:244:1::5/128 */
#define W64 0x40, 0xfd, 0x00, 0x02, 0x44, 0x00, 0x01, 0x00, 0x00

/* ORIGIN IGP, empty AS_PATH, LOCAL_PREF 100, next hop nh */
static void
mkattrs6(struct rib_attrs *a, const char *nh)
{
	memset(a, 0, sizeof(*a));
	a->origin = ORIGIN_IGP;
	a->aspath = (const uint8_t *)"";
	a->flags = RIB_A_LOCAL_PREF;
	a->local_pref = 100;
	assert_int_equal(addr_parse(nh, &a->nexthop), 0);
}

static void
assert_addr(const struct wr_addr *a, const char *want)
{
	char buf[WR_ADDRSTRLEN];

	assert_string_equal(addr_ntop(a, buf, sizeof(buf)), want);
}

static void
test_mp6_announce(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x58, 0x02, 0x00, 0x00, 0x00, 0x41,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64,
		0x90, 0x0e, 0x00, 0x2f, 0x00, 0x02, 0x01, 0x10, NH6, 0x00,
		    W128, W64,
	};
	/* clang-format on */
	struct wr_prefix p[2];
	struct rib_attrs a;
	struct wbuf w;

	mkattrs6(&a, "fd00:198:18::1");
	mkpfx(&p[0], "fd00:244:1::5/128");
	mkpfx(&p[1], "fd00:244:1::/64");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_mp, p, 2), 2);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	assert_int_equal(upd_msg(want, sizeof(want), &ctx_mp), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 2);
	assert_int_equal(upd.nmp_nlri, 2);
	assert_pfx(&upd.nlri[0], "fd00:244:1::5/128");
	assert_pfx(&upd.nlri[1], "fd00:244:1::/64");
	assert_addr(&upd.mp_nexthop, "fd00:198:18::1");
	assert_addr(&upd.attrs.nexthop, "fd00:198:18::1");
	assert_int_equal(upd.mp_nexthop_ll.af, 0);
	assert_int_equal(upd.attrs.local_pref, 100);

	/* not negotiated (RFC 4760 §8): checked, then ignored */
	assert_int_equal(upd_msg(want, sizeof(want), &ctx_as4), 0);
	assert_int_equal(upd.nnlri, 0);
	/* no IPv6 next hop for IPv6 NLRI: nothing to encode */
	mkattrs6(&a, "198.18.0.1");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_mp, p, 2), 0);
	assert_int_equal(w.len, 0);
}

/* RFC 2545 §3: 32 octets, global then link-local */
static void
test_mp6_nexthop32(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x5f, 0x02, 0x00, 0x00, 0x00, 0x48,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64,
		0x90, 0x0e, 0x00, 0x36, 0x00, 0x02, 0x01, 0x20, NH6, LL6, 0x00,
		    W128,
	};
	static uint8_t noglobal[] = {
		0x00, 0x00, 0x00, 0x40,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,
		0x80, 0x0e, 0x36, 0x00, 0x02, 0x01, 0x20,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, LL6,
		    0x00, W128,
	};
	/* clang-format on */
	struct bgp_parse_ctx ctx = ctx_mp;
	struct wr_prefix p;
	struct rib_attrs a;
	struct wbuf w;

	mkattrs6(&a, "fd00:198:18::1");
	mkpfx(&p, "fd00:244:1::5/128");
	assert_int_equal(addr_parse("fe80::1", &ctx.nh_ll), 0);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx, &p, 1), 1);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* the global one is kept */
	assert_int_equal(upd_msg(want, sizeof(want), &ctx_mp), 0);
	assert_int_equal(upd.nnlri, 1);
	assert_addr(&upd.mp_nexthop, "fd00:198:18::1");
	assert_addr(&upd.mp_nexthop_ll, "fe80::1");
	assert_addr(&upd.attrs.nexthop, "fd00:198:18::1");
	/* .. unless it is :: */
	assert_int_equal(upd_body(noglobal, sizeof(noglobal), &ctx_mp), 0);
	assert_false(upd.treat_as_withdraw);
	assert_addr(&upd.mp_nexthop, "fe80::1");
	/* a link-local next hop is never followed by another one */
	assert_int_equal(addr_parse("fe80::2", &a.nexthop), 0);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx, &p, 1), 1);
	assert_int_equal(out[BGP_HDR_LEN + 4 + 14 + 7], 0x10);
}

static void
test_mp6_withdraw_eor(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x2f, 0x02, 0x00, 0x00, 0x00, 0x18,
		0x90, 0x0f, 0x00, 0x14, 0x00, 0x02, 0x01, W128,
	};
	static const uint8_t eor[] = {
		M16, 0x00, 0x1d, 0x02, 0x00, 0x00, 0x00, 0x06,
		0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
	};
	/* clang-format on */
	struct wr_prefix p[2];
	struct wbuf w;

	mkpfx(&p[0], "fd00:244:1::5/128");
	mkpfx(&p[1], "10.0.0.0/8");
	wbuf_init(&w, out, sizeof(out));
	/* one family per message: the IPv4 one waits for the next */
	assert_int_equal(bgp_update_encode_withdraw(&w, p, 2), 1);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(upd_msg(want, sizeof(want), &ctx_mp), 0);
	assert_int_equal(upd.nwithdrawn, 1);
	assert_pfx(&upd.withdrawn[0], "fd00:244:1::5/128");
	assert_int_equal(upd.nnlri, 0);
	assert_false(upd.end_of_rib);

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_eor_mp(&w, AFI_IPV6, SAFI_UNICAST),
			 0);
	assert_int_equal(w.len, sizeof(eor));
	assert_memory_equal(out, eor, sizeof(eor));
	assert_int_equal(upd_msg(eor, sizeof(eor), &ctx_mp), 0);
	assert_int_equal(upd.end_of_rib, BGP_MP_IPV6_UNICAST);
	assert_int_equal(upd.nwithdrawn, 0);
}

/* RFC 8950 §3: IPv4 NLRI with an IPv6 next hop, AFI 1 in MP_REACH_NLRI */
static void
test_ext_nexthop(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		M16, 0x00, 0x43, 0x02, 0x00, 0x00, 0x00, 0x2c,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64,
		0x90, 0x0e, 0x00, 0x1a, 0x00, 0x01, 0x01, 0x10, NH6, 0x00,
		    0x20, 0x0a, 0xf4, 0x01, 0x05,
	};
	static const uint8_t open_want[] = {
		0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02,
	};
	/* clang-format on */
	struct bgp_open o, o2;
	struct wr_prefix p;
	struct rib_attrs a;
	struct wbuf w;
	struct ibuf b;

	mkattrs6(&a, "fd00:198:18::1");
	mkpfx(&p, "10.244.1.5/32");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_mp, &p, 1), 0);
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_enh, &p, 1),
			 1);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(upd_msg(want, sizeof(want), &ctx_enh), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1);
	assert_pfx(&upd.nlri[0], "10.244.1.5/32");
	assert_addr(&upd.attrs.nexthop, "fd00:198:18::1");
	/* not negotiated: the next hop length is wrong => reset (§7.11) */
	assert_int_equal(upd_msg(want, sizeof(want), &ctx_mp), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);

	/* the capability, RFC 8950 §3 */
	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = 64512;
	o.holdtime = 90;
	o.bgp_id = 1;
	o.caps.mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST;
	o.caps.ext_nh = BGP_MP_IPV4_UNICAST;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_true(contains(out, w.len, open_want, sizeof(open_want)));
	ibuf_init(&b, out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	assert_int_equal(bgp_open_parse(&b, &o2, &tu_err), 0);
	assert_int_equal(o2.caps.ext_nh, BGP_MP_IPV4_UNICAST);
	assert_int_equal(o2.caps.mp, o.caps.mp);
}

/* IPv4 in the NLRI field and IPv6 in MP_REACH_NLRI, each its next hop */
static void
test_mp6_mixed(void **state)
{
	/* clang-format off */
	static const uint8_t body[] = {
		0x00, 0x00, 0x00, 0x2d,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,
		0x40, 0x03, 0x04, 0xc6, 0x12, 0x00, 0x02,
		0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10, NH6, 0x00,
		    0x30, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x18, 0x0a, 0x00, 0x01,
	};
	/* clang-format on */

	assert_int_equal(upd_body(body, sizeof(body), &ctx_mp), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 2);
	assert_int_equal(upd.nmp_nlri, 1);
	assert_pfx(&upd.nlri[0], "fd00:0:2::/48");
	assert_pfx(&upd.nlri[1], "10.0.1.0/24");
	assert_addr(&upd.mp_nexthop, "fd00:198:18::1");
	assert_addr(&upd.attrs.nexthop, "198.18.0.2");
}

static void
test_mp6_malformed(void **state)
{
	/* IPv6 with a 4-octet next hop: NLRI cannot be located => reset */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x0b, 0x00, 0x02, 0x01,
			       0x04, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x08, 0xfd),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	/* a 24-octet next hop */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x1f, 0x00, 0x02, 0x01,
			       0x18, NH6, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x08,
			       0xfd),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	/* prefix length 129 (RFC 7606 §5.3) */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x17, 0x00, 0x02, 0x01,
			       0x10, NH6, 0x00, 0x81, 0xfd),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	/* a prefix cut short */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x18, 0x00, 0x02, 0x01,
			       0x10, NH6, 0x00, 0x40, 0xfd, 0x00),
			 -1);
	/* .. also in MP_UNREACH_NLRI */
	assert_int_equal(
	    EXTRA(&ctx_mp, 0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x40, 0xfd), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	assert_int_equal(
	    EXTRA(&ctx_mp, 0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x81, 0xfd), -1);
	/* a multicast next hop: located, unusable => treat-as-withdraw */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x18, 0x00, 0x02, 0x01,
			       0x10, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			       0, 0, 0, 0x01, 0x00, 0x10, 0xfd, 0x00),
			 0);
	assert_true(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 2);
	assert_pfx(&upd.nlri[0], "fd00::/16");
	/* :: alone, with 16 octets */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x18, 0x00, 0x02, 0x01,
			       0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			       0, 0, 0x00, 0x10, 0xfd, 0x00),
			 0);
	assert_true(upd.treat_as_withdraw);
	/* a good one, for contrast */
	assert_int_equal(EXTRA(&ctx_mp, 0x80, 0x0e, 0x18, 0x00, 0x02, 0x01,
			       0x10, NH6, 0x00, 0x10, 0xfd, 0x00),
			 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 2);
	assert_int_equal(upd.nmp_nlri, 1);
}

/* RFC 4456 §8, RFC 7606 §7.9/§7.10: ORIGINATOR_ID and CLUSTER_LIST */
static void
test_rr_attrs_parse(void **state)
{
	static const uint8_t cl[] = {198, 18, 0, 1, 198, 18, 0, 2};

	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x09, 0x04, 10, 0, 0, 4, 0x80,
			       0x0a, 0x08, 198, 18, 0, 1, 198, 18, 0, 2),
			 0);
	assert_clean();
	assert_true(upd.attrs.flags & RIB_A_ORIGINATOR);
	assert_int_equal(upd.attrs.originator_id, 0x0a000004);
	assert_int_equal(upd.attrs.cluster_list_len, sizeof(cl));
	assert_memory_equal(upd.attrs.cluster_list, cl, sizeof(cl));

	/* ORIGINATOR_ID of 3 or 5 octets => treat-as-withdraw */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x09, 0x03, 10, 0, 0), 0);
	assert_withdraw(ERR_UPD_ATTRLEN);
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x09, 0x05, 10, 0, 0, 4, 5), 0);
	assert_withdraw(ERR_UPD_ATTRLEN);
	/* CLUSTER_LIST empty or not a multiple of 4 => treat-as-withdraw */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0a, 0x00), 0);
	assert_withdraw(ERR_UPD_ATTRLEN);
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x0a, 0x06, 1, 2, 3, 4, 5, 6),
			 0);
	assert_withdraw(ERR_UPD_ATTRLEN);
	/* marked transitive: wrong flags (RFC 7606 §3 c) */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x09, 0x04, 10, 0, 0, 4), 0);
	assert_withdraw(ERR_UPD_ATTRFLAGS);
	/* from an eBGP neighbor: ignored */
	assert_int_equal(EXTRA(&ctx_ebgp4, 0x80, 0x09, 0x04, 10, 0, 0, 4, 0x80,
			       0x0a, 0x04, 1, 2, 3, 4),
			 0);
	assert_clean();
	assert_false(upd.attrs.flags & RIB_A_ORIGINATOR);
	assert_int_equal(upd.attrs.cluster_list_len, 0);
}

static void
test_rr_attrs_encode(void **state)
{
	static const uint8_t cl[] = {198, 18, 0, 1};
	/* clang-format off */
	static const uint8_t want[] = {
		0x80, 0x09, 0x04, 10, 0, 0, 4,		/* ORIGINATOR_ID */
		0x80, 0x0a, 0x04, 198, 18, 0, 1,	/* CLUSTER_LIST */
	};
	/* clang-format on */
	struct rib_attrs a;
	struct wr_prefix p;
	struct wbuf w;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	addr_parse("10.0.0.4", &a.nexthop);
	a.flags = RIB_A_LOCAL_PREF | RIB_A_ORIGINATOR;
	a.local_pref = 100;
	a.originator_id = 0x0a000004;
	a.cluster_list = cl;
	a.cluster_list_len = sizeof(cl);
	mkpfx(&p, "10.244.4.0/26");
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_as4, &p, 1),
			 1);
	assert_true(contains(out, w.len, want, sizeof(want)));
	assert_int_equal(upd_msg(out, w.len, &ctx_as4), 0);
	assert_int_equal(upd.attrs.originator_id, 0x0a000004);
	assert_memory_equal(upd.attrs.cluster_list, cl, sizeof(cl));
	/* never to an eBGP neighbor */
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_ebgp4, &p, 1),
			 1);
	assert_false(contains(out, w.len, want, 3));
	assert_false(contains(out, w.len, want + 7, 3));
}

/* ---- RFC 7606 actions, reported to the session -------------------------- */

static void
assert_event(size_t i, uint8_t attr, uint8_t act, const char *sec)
{
	assert_true(upd.nevents > i);
	assert_int_equal(upd.events[i].attr, attr);
	assert_int_equal(upd.events[i].act, act);
	assert_string_equal(upd.events[i].sec, sec);
}

/* attribute discard: counted and named, the route stays */
static void
test_7606_discard(void **state)
{
	/* §3 g: a second MED is discarded */
	assert_int_equal(EXTRA(&ctx_as4, 0x80, 0x04, 0x04, 0, 0, 0, 1, 0x80,
			       0x04, 0x04, 0, 0, 0, 2),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.med, 1);
	assert_int_equal(upd.ndiscard, 1);
	assert_event(0, ATTR_MED, BGP_ACT_DISCARD, "RFC 7606 §3 g");

	/* §7.5: LOCAL_PREF from an external neighbor */
	assert_int_equal(EXTRA(&ctx_ebgp4, 0x40, 0x05, 0x04, 0, 0, 0, 9), 0);
	assert_clean();
	assert_int_equal(upd.ndiscard, 1);
	assert_event(0, ATTR_LOCAL_PREF, BGP_ACT_DISCARD, "RFC 7606 §7.5");

	/* §7.6 and §7.7: ATOMIC_AGGREGATE of 1 octet, AGGREGATOR of 6 */
	assert_int_equal(EXTRA(&ctx_as4, 0x40, 0x06, 0x01, 0, 0xc0, 0x07, 0x06,
			       0xfd, 0xe9, 1, 2, 3, 4),
			 0);
	assert_clean();
	assert_int_equal(upd.ndiscard, 2);
	assert_event(0, ATTR_ATOMIC_AGGREGATE, BGP_ACT_DISCARD,
		     "RFC 7606 §7.6");
	assert_event(1, ATTR_AGGREGATOR, BGP_ACT_DISCARD, "RFC 7606 §7.7");

	/* RFC 7607 §2: AGGREGATOR with AS 0 */
	assert_int_equal(
	    EXTRA(&ctx_as4, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 1, 2, 3, 4), 0);
	assert_clean();
	assert_false(upd.attrs.flags & RIB_A_AGGREGATOR);
	assert_int_equal(upd.ndiscard, 1);

	/* RFC 6793 §6: AS4_PATH and AS4_AGGREGATOR between NEW speakers */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x11, 0x06, 0x02, 0x01, 0, 1, 0,
			       1, 0xc0, 0x12, 0x08, 0, 1, 0, 1, 1, 2, 3, 4),
			 0);
	assert_clean();
	assert_int_equal(upd.ndiscard, 2);
	assert_event(0, ATTR_AS4_PATH, BGP_ACT_DISCARD, "RFC 6793 §6");
	assert_int_equal(upd.nevents, 2);
}

/* ORIGIN, 2-octet AS_PATH 64512, NEXT_HOP, extra, NLRI 10.0.1.0/24 */
static const uint8_t as2_base[] = {
    0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x04,
    0x02, 0x01, 0xfc, 0x00, 0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,
};

static const uint8_t *
as2_vec(uint8_t *b, const uint8_t *extra, size_t elen)
{
	size_t alen = sizeof(as2_base) - 4 + elen;

	memcpy(b, as2_base, sizeof(as2_base));
	b[3] = (uint8_t)alen;
	memcpy(b + sizeof(as2_base), extra, elen);
	memcpy(b + sizeof(as2_base) + elen,
	       (const uint8_t[]){0x18, 0x0a, 0x00, 0x01}, 4);
	return b;
}

/* AS 0 (RFC 7607) and AS4_PATH malformations (RFC 6793 §6) */
static void
test_7606_as0(void **state)
{
	uint8_t b[512];
	size_t n = mkupd(b, NULL, 0, 1);

	/* AS_PATH 64512 -> 0: treat-as-withdraw */
	b[15] = b[16] = 0;
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_withdraw(ERR_UPD_ASPATH);
	assert_event(0, ATTR_AS_PATH, BGP_ACT_WITHDRAW, "RFC 7606 §7.2");

	/* from a 2-octet speaker: AS4_PATH with AS 0 is discarded */
	assert_int_equal(
	    upd_body(as2_vec(b,
			     (const uint8_t[]){0xc0, 0x11, 0x06, 0x02, 0x01, 0,
					       0, 0, 0},
			     9),
		     sizeof(as2_base) + 9 + 4, &ctx_as2),
	    0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.ndiscard, 1);
	assert_event(0, ATTR_AS4_PATH, BGP_ACT_DISCARD, "RFC 6793 §6");
	assert_aspath(&upd.attrs, "64512");
	/* .. so is AS4_AGGREGATOR with AS 0 */
	assert_int_equal(
	    upd_body(as2_vec(b,
			     (const uint8_t[]){0xc0, 0x12, 0x08, 0, 0, 0, 0, 1,
					       2, 3, 4},
			     11),
		     sizeof(as2_base) + 11 + 4, &ctx_as2),
	    0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.ndiscard, 1);
}

/* RFC 5065 §5: confederation segments from an external neighbor */
static void
test_7606_confed(void **state)
{
	uint8_t b[512];
	size_t n = mkupd(b, NULL, 0, 1);

	b[11] = AS_CONFED_SEQUENCE;
	assert_int_equal(upd_body(b, n, &ctx_ebgp4), 0);
	assert_withdraw(ERR_UPD_ASPATH);
	assert_int_equal(upd_body(b, n, &ctx_as4), 0);
	assert_clean();
}

/* flags (§3 c), missing (§3 d), and an UPDATE without NLRI (§5.2) */
static void
test_7606_withdraw_more(void **state)
{
	/* MED marked transitive */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x04, 0x04, 0, 0, 0, 1), 0);
	assert_withdraw(ERR_UPD_ATTRFLAGS);
	assert_event(0, ATTR_MED, BGP_ACT_WITHDRAW, "RFC 7606 §3 c");
	/* LOCAL_PREF optional, AS_PATH partial is fine (well-known) */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x05, 0x04, 0, 0, 0, 1), 0);
	assert_withdraw(ERR_UPD_ATTRFLAGS);
	/* NEXT_HOP multicast: §7.3 */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x07, 0x40, 0x03, 0x04,
				       239, 0, 0, 1, 0x18, 0x0a, 0x00, 0x01},
		     15, &ctx_as4),
	    0);
	assert_true(upd.treat_as_withdraw);
	assert_event(0, ATTR_NEXT_HOP, BGP_ACT_WITHDRAW, "RFC 7606 §7.3");
	/* §3 d has nothing to add once the routes are withdrawn */
	assert_int_equal(upd.nevents, 1);
	/* without it, a missing ORIGIN is what withdraws */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x07, 0x40, 0x03, 0x04,
				       10, 0, 0, 1, 0x18, 0x0a, 0x00, 0x01},
		     15, &ctx_as4),
	    0);
	assert_event(0, ATTR_ORIGIN, BGP_ACT_WITHDRAW, "RFC 7606 §3 d");

	/*
	 * §5.2: attributes but no NLRI: no mandatory attribute is missing,
	 * a malformed one changes nothing
	 */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x07, 0x80, 0x04, 0x04,
				       0, 0, 0, 1},
		     11, &ctx_as4),
	    0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri + upd.nwithdrawn + upd.nevents, 0);
	assert_int_equal(upd_body((const uint8_t[]){0x00, 0x00, 0x00, 0x06,
						    0x80, 0x04, 0x03, 0, 0, 1},
				  10, &ctx_as4),
			 0);
	assert_int_equal(upd.nnlri, 0);
}

/* Passed on unread, but checked: RFC 7606 §7.14, §7.15, RFC 8092 §6 */
static void
test_7606_passon(void **state)
{
	/* EXTENDED_COMMUNITIES of 8 octets: kept with Partial */
	assert_int_equal(
	    EXTRA(&ctx_as4, 0xc0, 0x10, 0x08, 0, 2, 0xfc, 0, 0, 0, 0, 1), 0);
	assert_clean();
	assert_int_equal(upd.attrs.unknown_len, 11);
	assert_int_equal(upd.attrs.unknown[0], 0xe0);
	/* of 7 octets: treat-as-withdraw, not passed on */
	assert_int_equal(
	    EXTRA(&ctx_as4, 0xc0, 0x10, 0x07, 0, 2, 0xfc, 0, 0, 0, 0), 0);
	assert_withdraw(ERR_UPD_OPTATTR);
	assert_event(0, 16, BGP_ACT_WITHDRAW, "RFC 7606 §7.14");
	assert_int_equal(upd.attrs.unknown_len, 0);
	/* IPv6 address specific of 19, LARGE_COMMUNITIES of 0 or 13 */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x19, 0x01, 0), 0);
	assert_withdraw(ERR_UPD_OPTATTR);
	assert_event(0, 25, BGP_ACT_WITHDRAW, "RFC 7606 §7.15");
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x20, 0x00), 0);
	assert_withdraw(ERR_UPD_OPTATTR);
	assert_event(0, 32, BGP_ACT_WITHDRAW, "RFC 8092 §6");
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x20, 0x0c, 0, 0, 0xfc, 0, 0, 0,
			       0, 1, 0, 0, 0, 2),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.unknown_len, 15);
}

/* RFC 9012 §13: a malformed Tunnel Encapsulation attribute is discarded */
static void
test_7606_tunnel_encap(void **state)
{
	/* one VXLAN (8) TLV with a sub-TLV 4 (1-octet length) of 2 octets */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x17, 0x0a, 0x00, 0x08, 0x00,
			       0x06, 0x04, 0x04, 0, 0, 0, 7),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.unknown_len, 13);
	assert_int_equal(upd.ndiscard, 0);
	/* a TLV length past the attribute: discarded, not passed on */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x17, 0x06, 0x00, 0x08, 0x00,
			       0x09, 0x04, 0x00),
			 0);
	assert_clean();
	assert_int_equal(upd.attrs.unknown_len, 0);
	assert_int_equal(upd.ndiscard, 1);
	assert_event(0, 23, BGP_ACT_DISCARD, "RFC 9012 §13");
	/* a sub-TLV 130 (2-octet length) running past its TLV */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x17, 0x08, 0x00, 0x08, 0x00,
			       0x04, 0x82, 0x00, 0x05, 0x01),
			 0);
	assert_int_equal(upd.attrs.unknown_len, 0);
	assert_int_equal(upd.ndiscard, 1);
	/* empty */
	assert_int_equal(EXTRA(&ctx_as4, 0xc0, 0x17, 0x00), 0);
	assert_int_equal(upd.ndiscard, 1);
	assert_string_equal(bgp_attr_name(23), "TUNNEL_ENCAPSULATION");
	assert_null(bgp_attr_name(99));
	assert_string_equal(bgp_act_name(BGP_ACT_RESET), "session-reset");
}

/* session reset: the reason is reported as well */
static void
test_7606_reset_event(void **state)
{
	/* MP_REACH_NLRI whose next hop length does not fit (§7.11) */
	static const struct bgp_parse_ctx c6 = {
	    .as4 = 1, .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST};

	assert_int_equal(
	    EXTRA(&c6, 0x80, 0x0e, 0x09, 0x00, 0x02, 0x01, 0x05, 1, 2, 3, 4, 5),
	    -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	assert_event(0, ATTR_MP_REACH_NLRI, BGP_ACT_RESET, "RFC 7606 §7.11");
	/* a bad prefix in Withdrawn Routes: §5.3 */
	assert_int_equal(
	    upd_body((const uint8_t[]){0x00, 0x02, 0x21, 0x0a, 0x00, 0x00}, 6,
		     &ctx_as4),
	    -1);
	assert_event(0, 0, BGP_ACT_RESET, "RFC 7606 §5.3");
}

/* ---- extended messages, RFC 8654 ---------------------------------------- */

static const struct bgp_parse_ctx ctx_ext = {.as4 = 1,
					     .max_len = BGP_MAX_LEN_EXT};

static void
mkhdr(uint8_t *h, size_t len, uint8_t type)
{
	memset(h, 0xff, 16);
	h[16] = (uint8_t)(len >> 8);
	h[17] = (uint8_t)len;
	h[18] = type;
}

static void
test_ext_msg_hdr(void **state)
{
	uint8_t h[BGP_HDR_LEN], type;
	uint16_t len;

	mkhdr(h, 5000, BGP_UPDATE);
	assert_int_equal(bgp_hdr_parse(h, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	assert_int_equal(tu_err.data[0] << 8 | tu_err.data[1], 5000);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN, &type, &len, &tu_err), -1);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN_EXT, &type, &len, &tu_err), 0);
	assert_int_equal(len, 5000);
	mkhdr(h, 65535, BGP_NOTIFICATION);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN_EXT, &type, &len, &tu_err), 0);
	/* §4: OPEN and KEEPALIVE stay within 4096; so does ROUTE-REFRESH */
	mkhdr(h, 4097, BGP_OPEN);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN_EXT, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	mkhdr(h, 20, BGP_KEEPALIVE);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN_EXT, &type, &len, &tu_err), -1);
	mkhdr(h, 100, BGP_ROUTE_REFRESH);
	assert_int_equal(
	    bgp_hdr_parse_max(h, BGP_MAX_LEN_EXT, &type, &len, &tu_err), -1);
}

static void
test_ext_msg_capa(void **state)
{
	struct bgp_open o, o2;
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = 64512;
	o.holdtime = 90;
	o.bgp_id = 0x0a000001;
	o.caps.ext_msg = 1;
	o.caps.enhanced_rr = 1;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_true(contains(out, w.len, (const uint8_t[]){6, 0}, 2));
	assert_int_equal(open_body(out + BGP_HDR_LEN, w.len - BGP_HDR_LEN, &o2),
			 0);
	assert_true(o2.caps.ext_msg);
	assert_true(o2.caps.enhanced_rr);
}

/* 1200 prefixes of /32: 6000 octets of NLRI after 20 of attributes */
static size_t
mkbig(uint8_t *b, size_t n)
{
	static const uint8_t attrs[] = {0x40, 0x01, 0x01, 0x00, 0x40,
					0x02, 0x00, 0x40, 0x03, 0x04,
					10,   0,    0,	  1};
	size_t i, len = 4 + sizeof(attrs);

	b[0] = b[1] = b[2] = 0;
	b[3] = sizeof(attrs);
	memcpy(b + 4, attrs, sizeof(attrs));
	for (i = 0; i < n; i++, len += 5) {
		b[len] = 32;
		b[len + 1] = 10;
		b[len + 2] = 244;
		b[len + 3] = (uint8_t)(i >> 8);
		b[len + 4] = (uint8_t)i;
	}
	return len;
}

static void
test_ext_msg_update(void **state)
{
	static uint8_t b[BGP_MAX_LEN_EXT];
	size_t n = mkbig(b, 1200);

	assert_true(n + BGP_HDR_LEN > BGP_MAX_LEN);
	/* not negotiated: Bad Message Length */
	assert_int_equal(upd_body(b, n, &ctx_as4), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	assert_int_equal(tu_err.data[0] << 8 | tu_err.data[1], n + BGP_HDR_LEN);
	/* negotiated: all of it */
	assert_int_equal(upd_body(b, n, &ctx_ext), 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1200);
	assert_pfx(&upd.nlri[1199], "10.244.4.175/32");
	/* the largest: 65535 octets of /0 */
	memset(b, 0, sizeof(b));
	assert_int_equal(upd_body(b, BGP_MAX_LEN_EXT - BGP_HDR_LEN, &ctx_ext),
			 0);
	assert_int_equal(upd.nnlri, BGP_MAX_LEN_EXT - BGP_HDR_LEN - 4);
	assert_true(upd.treat_as_withdraw); /* no attributes */
}

static void
test_ext_msg_pack(void **state)
{
	static uint8_t big[BGP_MAX_LEN_EXT];
	static struct wr_prefix p[2000];
	struct rib_attrs a;
	struct wbuf w;
	size_t i, k;
	uint8_t type;
	uint16_t len;

	for (i = 0; i < 2000; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].addr.af = AF_INET;
		p[i].addr.b[0] = 10;
		p[i].addr.b[1] = 244;
		p[i].addr.b[2] = (uint8_t)(i >> 8);
		p[i].addr.b[3] = (uint8_t)i;
		p[i].len = 32;
	}
	memset(&a, 0, sizeof(a));
	addr_parse("198.18.0.1", &a.nexthop);
	/* 4096 octets: about 800 */
	wbuf_init(&w, big, sizeof(big));
	k = bgp_update_encode_announce(&w, &a, &ctx_as4, p, 2000);
	assert_true(k > 700 && k < 820 && w.len <= BGP_MAX_LEN);
	/* extended: all 2000 in one message */
	wbuf_init(&w, big, sizeof(big));
	assert_int_equal(bgp_update_encode_announce(&w, &a, &ctx_ext, p, 2000),
			 2000);
	assert_true(w.len > BGP_MAX_LEN);
	assert_int_equal(
	    bgp_hdr_parse_max(big, BGP_MAX_LEN_EXT, &type, &len, &tu_err), 0);
	assert_int_equal(len, w.len);
	assert_int_equal(
	    upd_body(big + BGP_HDR_LEN, len - BGP_HDR_LEN, &ctx_ext), 0);
	assert_int_equal(upd.nnlri, 2000);
	/* withdrawals likewise */
	wbuf_init(&w, big, sizeof(big));
	assert_int_equal(
	    bgp_update_encode_withdraw_max(&w, BGP_MAX_LEN_EXT, p, 2000), 2000);
	wbuf_init(&w, big, sizeof(big));
	k = bgp_update_encode_withdraw(&w, p, 2000);
	assert_true(k < 820 && w.len <= BGP_MAX_LEN);
}

/* ---- ADD-PATH, RFC 7911 ------------------------------------------------ */

static const struct bgp_parse_ctx ctx_ap4 = {
    .as4 = 1, .addpath_rx = BGP_MP_IPV4_UNICAST,
    .addpath_tx = BGP_MP_IPV4_UNICAST};
static const struct bgp_parse_ctx ctx_ap6 = {
    .as4 = 1, .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST,
    .addpath_rx = BGP_MP_IPV6_UNICAST, .addpath_tx = BGP_MP_IPV6_UNICAST};

/* §3: path id 7 withdrawn; 10.2.0.0/24 twice, path ids 1 and 2 */
static const uint8_t ap4_body[] = {
    0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0x18, 0x0a, 0x01, 0x02,
    0x00, 0x0e, 0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00, 0x40, 0x03, 0x04,
    0xc6, 0x12, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x18, 0x0a, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x18, 0x0a, 0x02, 0x00,
};

static void
test_addpath_v4(void **state)
{
	static const uint8_t wd_vec[] = {
	    M16, 0x00, 0x1f, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07,
	    0x18, 0x0a, 0x01, 0x02, 0x00, 0x00};
	const uint8_t *tail = ap4_body + sizeof(ap4_body) - 16;
	struct wr_prefix p[2];
	uint32_t ids[2] = {1, 2};
	struct wbuf w;
	size_t n;

	assert_int_equal(upd_body(ap4_body, sizeof(ap4_body), &ctx_ap4), 0);
	assert_int_equal(upd.nwithdrawn, 1);
	assert_int_equal(upd.withdrawn_id[0], 7);
	assert_int_equal(upd.withdrawn[0].len, 24);
	assert_int_equal(upd.nnlri, 2);
	assert_int_equal(upd.nlri_id[0], 1);
	assert_int_equal(upd.nlri_id[1], 2);
	assert_int_equal(prefix_cmp(&upd.nlri[0], &upd.nlri[1]), 0);
	assert_false(upd.treat_as_withdraw);

	/* the encoders write the ids before each prefix */
	memcpy(p, upd.nlri, sizeof(p));
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
	    bgp_update_encode_announce_id(&w, &upd.attrs, &ctx_ap4, p, ids, 2),
	    2);
	n = w.len;
	assert_true(n > 16);
	assert_memory_equal(out + n - 16, tail, 16);
	/* without ids: BGP_ADDPATH_ID_BEST for all */
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
	    bgp_update_encode_announce_id(&w, &upd.attrs, &ctx_ap4, p, NULL, 1),
	    1);
	assert_memory_equal(out + w.len - 8, tail, 8);
	/* not negotiated for sending: no ids */
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
	    bgp_update_encode_announce_id(&w, &upd.attrs, &ctx_as4, p, ids, 1),
	    1);
	assert_memory_equal(out + w.len - 4, tail + 4, 4);
	assert_int_equal(w.len, n - 12);

	p[0] = upd.withdrawn[0];
	ids[0] = 7;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_withdraw_id(&w, &ctx_ap4, p, ids, 1),
			 1);
	assert_int_equal(w.len, sizeof(wd_vec));
	assert_memory_equal(out, wd_vec, sizeof(wd_vec));
}

/* §3, RFC 4760: MP_REACH_NLRI fd00:0:0:1::/64 path id 5, next hop fd00::1 */
static const uint8_t ap6_body[] = {
    0x00, 0x00, 0x00, 0x2d, 0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00,
    0x90, 0x0e, 0x00, 0x22, 0x00, 0x02, 0x01, 0x10,
    0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x05, 0x40, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01,
};

static void
test_addpath_v6(void **state)
{
	static const uint8_t wd_vec[] = {
	    M16,  0x00, 0x2b, 0x02, 0x00, 0x00, 0x00, 0x14, 0x90, 0x0f, 0x00,
	    0x10, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x05, 0x40, 0xfd, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
	const uint8_t *nlri = ap6_body + sizeof(ap6_body) - 13;
	struct wr_prefix p;
	uint32_t id = 5;
	struct rib_attrs a;
	struct wbuf w;

	assert_int_equal(upd_body(ap6_body, sizeof(ap6_body), &ctx_ap6), 0);
	assert_int_equal(upd.nnlri, 1);
	assert_int_equal(upd.nmp_nlri, 1);
	assert_int_equal(upd.nlri_id[0], 5);
	assert_int_equal(upd.nlri[0].len, 64);
	assert_int_equal(upd.nlri[0].addr.af, AF_INET6);
	assert_false(upd.treat_as_withdraw);
	p = upd.nlri[0];

	a = upd.attrs;
	a.nexthop = upd.mp_nexthop;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
	    bgp_update_encode_announce_id(&w, &a, &ctx_ap6, &p, &id, 1), 1);
	assert_memory_equal(out + w.len - 13, nlri, 13);
	assert_int_equal(upd_msg(out, w.len, &ctx_ap6), 0);
	assert_int_equal(upd.nlri_id[0], 5);

	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_encode_withdraw_id(&w, &ctx_ap6, &p, &id, 1),
			 1);
	assert_int_equal(w.len, sizeof(wd_vec));
	assert_memory_equal(out, wd_vec, sizeof(wd_vec));
	assert_int_equal(upd_msg(out, w.len, &ctx_ap6), 0);
	assert_int_equal(upd.nwithdrawn, 1);
	assert_int_equal(upd.withdrawn_id[0], 5);
}

/* RFC 7606 §5.3: a truncated path identifier => session reset */
static void
test_addpath_malformed(void **state)
{
	static const uint8_t trunc_nlri[] = {
	    0x00, 0x00, 0x00, 0x0e, 0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00,
	    0x40, 0x03, 0x04, 0xc6, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t trunc_wd[] = {0x00, 0x03, 0x00, 0x00, 0x00,
					   0x00, 0x00};
	static const uint8_t trunc_mp[] = {0x00, 0x00, 0x00, 0x09, 0x90,
					   0x0f, 0x00, 0x05, 0x00, 0x02,
					   0x01, 0x00, 0x00};
	/* a path id without its prefix */
	static const uint8_t no_pfx[] = {0x00, 0x04, 0x00, 0x00,
					 0x00, 0x01, 0x00, 0x00};

	assert_int_equal(upd_body(trunc_nlri, sizeof(trunc_nlri), &ctx_ap4), -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	assert_int_equal(tu_err.subcode, ERR_UPD_NETWORK);
	assert_int_equal(upd.events[upd.nevents - 1].act, BGP_ACT_RESET);
	assert_int_equal(upd_body(trunc_wd, sizeof(trunc_wd), &ctx_ap4), -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	assert_int_equal(upd_body(no_pfx, sizeof(no_pfx), &ctx_ap4), -1);
	assert_int_equal(upd_body(trunc_mp, sizeof(trunc_mp), &ctx_ap6), -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	/* without ADD-PATH for IPv6, the same bytes are two /0 prefixes */
	assert_int_equal(upd_body(trunc_mp, sizeof(trunc_mp), &ctx_ap4), 0);
}

/* RFC 7911 §4: the capability, encoded and parsed */
static void
test_addpath_capa(void **state)
{
	static const uint8_t capa[] = {0x45, 0x08, 0x00, 0x01, 0x01, 0x03,
				       0x00, 0x02, 0x01, 0x01};
	/* version 4, AS 65001, hold 90, id 1.1.1.1, one bad-length 69 */
	static const uint8_t bad[] = {0x04, 0xfd, 0xe9, 0x00, 0x5a, 0x01,
				      0x01, 0x01, 0x01, 0x07, 0x02, 0x05,
				      0x45, 0x03, 0x00, 0x01, 0x01};
	struct bgp_open o, r;
	struct ibuf b;
	struct wbuf w;
	size_t i;
	int found = 0;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = 65001;
	o.holdtime = 90;
	o.bgp_id = 0x01010101;
	o.caps.mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST;
	o.caps.addpath_rx = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST;
	o.caps.addpath_tx = BGP_MP_IPV4_UNICAST;
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	for (i = 0; i + sizeof(capa) <= w.len; i++)
		found |= memcmp(out + i, capa, sizeof(capa)) == 0;
	assert_true(found);
	ibuf_init(&b, out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	assert_int_equal(bgp_open_parse(&b, &r, &tu_err), 0);
	assert_int_equal(r.caps.addpath_rx,
			 BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST);
	assert_int_equal(r.caps.addpath_tx, BGP_MP_IPV4_UNICAST);

	/* a length not a multiple of 4: ignored */
	ibuf_init(&b, bad, sizeof(bad));
	assert_int_equal(bgp_open_parse(&b, &r, &tu_err), 0);
	assert_int_equal(r.caps.addpath_rx | r.caps.addpath_tx, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_encode),
	    cmocka_unit_test(test_open_parse),
	    cmocka_unit_test(test_open_as_trans),
	    cmocka_unit_test(test_open_2octet),
	    cmocka_unit_test(test_open_ext_params),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_hdr_errors),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_notify),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_rrefresh),
	    cmocka_unit_test(test_update_parse),
	    cmocka_unit_test(test_update_announce),
	    cmocka_unit_test(test_roundtrip_as4),
	    cmocka_unit_test(test_roundtrip_as2),
	    cmocka_unit_test(test_as4path_merge),
	    cmocka_unit_test(test_as4path_aggregator),
	    cmocka_unit_test(test_extended_length),
	    cmocka_unit_test(test_pack_announce),
	    cmocka_unit_test(test_pack_withdraw),
	    cmocka_unit_test(test_eor),
	    cmocka_unit_test(test_upd_lengths),
	    cmocka_unit_test(test_upd_origin_aspath),
	    cmocka_unit_test(test_upd_attr_rules),
	    cmocka_unit_test(test_upd_nexthop),
	    cmocka_unit_test(test_upd_duplicate),
	    cmocka_unit_test(test_upd_unknown),
	    cmocka_unit_test(test_upd_mp),
	    cmocka_unit_test(test_mp6_announce),
	    cmocka_unit_test(test_mp6_nexthop32),
	    cmocka_unit_test(test_mp6_withdraw_eor),
	    cmocka_unit_test(test_ext_nexthop),
	    cmocka_unit_test(test_mp6_mixed),
	    cmocka_unit_test(test_mp6_malformed),
	    cmocka_unit_test(test_rr_attrs_parse),
	    cmocka_unit_test(test_rr_attrs_encode),
	};

	/* clang-format off */
	const struct CMUnitTest more[] = {
	    cmocka_unit_test(test_7606_discard),
	    cmocka_unit_test(test_7606_as0),
	    cmocka_unit_test(test_7606_confed),
	    cmocka_unit_test(test_7606_withdraw_more),
	    cmocka_unit_test(test_7606_passon),
	    cmocka_unit_test(test_7606_tunnel_encap),
	    cmocka_unit_test(test_7606_reset_event),
	    cmocka_unit_test(test_ext_msg_hdr),
	    cmocka_unit_test(test_ext_msg_capa),
	    cmocka_unit_test(test_ext_msg_update),
	    cmocka_unit_test(test_ext_msg_pack),
	    cmocka_unit_test(test_addpath_v4),
	    cmocka_unit_test(test_addpath_v6),
	    cmocka_unit_test(test_addpath_malformed),
	    cmocka_unit_test(test_addpath_capa),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, tu_upd_setup, tu_upd_teardown) |
	       cmocka_run_group_tests(more, tu_upd_setup, tu_upd_teardown);
}
