/*
 * tests/unit/test_attacks.c: regression vectors for attacks that broke other
 * BGP daemons (crashes, over-reads, session resets a peer could trigger at
 * will, malformed data passed on to third parties).  Each is a whole message,
 * header included, fed through the same path the session uses:
 * bgp_hdr_parse_max() then the parser of its type.  Each asserts the action
 * RFC 4271 §6 / RFC 7606 prescribes: treat-as-withdraw, attribute discard,
 * ignore, or a session reset with the exact NOTIFICATION code and subcode.
 * tests/topo/t40_attacks.sh sends the same classes to a live wrend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msg.h"
#include "testutil.h"

#define upd (*tu_upd)

static const struct bgp_parse_ctx ctx_v4 = {.as4 = 1};
static const struct bgp_parse_ctx ctx_mp = {
    .as4 = 1, .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST};

/* ORIGIN IGP, empty AS_PATH, NEXT_HOP 198.18.0.2: 14 octets */
#define ATTRS_OK                                                               \
	0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00, 0x40, 0x03, 0x04, 0xc6,      \
	    0x12, 0x00, 0x02
#define NLRI_OK 0x18, 0x0a, 0x00, 0x01 /* 10.0.1.0/24 */

/*
 * A whole message: the header (length filled in from the vector) goes
 * through bgp_hdr_parse_max(), as conn_read_one() does; *type is set.
 * Returns the header verdict; the body is left in *b.
 */
static int
msg_hdr(uint8_t *m, size_t len, uint8_t *type, struct ibuf *b)
{
	uint16_t mlen;

	m[16] = (uint8_t)(len >> 8);
	m[17] = (uint8_t)len;
	if (bgp_hdr_parse_max(m, BGP_MAX_LEN, type, &mlen, &tu_err) == -1)
		return -1;
	assert_int_equal(mlen, len);
	ibuf_init(b, m + BGP_HDR_LEN, len - BGP_HDR_LEN);
	return 0;
}

static int
attack_update(const uint8_t *v, size_t len, const struct bgp_parse_ctx *ctx)
{
	static uint8_t m[BGP_MAX_LEN]; /* upd.attrs points into it */
	struct ibuf b;
	uint8_t type;

	assert_true(len <= sizeof(m));
	memcpy(m, v, len);
	assert_int_equal(msg_hdr(m, len, &type, &b), 0);
	assert_int_equal(type, BGP_UPDATE);
	return bgp_update_parse(&b, ctx, &upd, &tu_err);
}

#define UPDATE(ctx, ...)                                                       \
	attack_update((const uint8_t[]){M16, 0, 0, BGP_UPDATE, __VA_ARGS__},   \
		      sizeof((const uint8_t[]){M16, 0, 0, 2, __VA_ARGS__}), ctx)

/* -2: refused by the header check already (tu_err says why) */
static int
attack_open(const uint8_t *v, size_t len, struct bgp_open *o)
{
	uint8_t m[BGP_MAX_LEN], type;
	struct ibuf b;

	assert_true(len <= sizeof(m));
	memcpy(m, v, len);
	if (msg_hdr(m, len, &type, &b) == -1)
		return -2;
	assert_int_equal(type, BGP_OPEN);
	return bgp_open_parse(&b, o, &tu_err);
}

#define OPEN(o, ...)                                                           \
	attack_open((const uint8_t[]){M16, 0, 0, BGP_OPEN, __VA_ARGS__},       \
		    sizeof((const uint8_t[]){M16, 0, 0, 1, __VA_ARGS__}), o)
/* version 4, AS 64512, hold time 90, BGP Identifier 198.18.0.2 */
#define OPEN_FIXED 0x04, 0xfc, 0x00, 0x00, 0x5a, 0xc6, 0x12, 0x00, 0x02

static void
assert_withdraw_one(void)
{
	char buf[WR_PFXSTRLEN];

	assert_true(upd.treat_as_withdraw);
	assert_int_equal(upd.nnlri, 1);
	assert_string_equal(prefix_ntop(&upd.nlri[0], buf, sizeof(buf)),
			    "10.0.1.0/24");
}

/*
 * An attribute length running past the attribute section (the class of
 * the 2019-2023 over-reads in several daemons): RFC 7606 §4, the NLRI are
 * found from the Total Path Attribute Length and withdrawn.
 */
static void
test_attr_length_overrun(void **state)
{
	/* NEXT_HOP claims 32 octets, 4 are left in the section */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x0e, 0x40, 0x01,
				0x01, 0x00, 0x40, 0x02, 0x00, 0x40, 0x03, 0x20,
				0xc6, 0x12, 0x00, 0x02, NLRI_OK),
			 0);
	assert_withdraw_one();
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
	assert_int_equal(upd.events[0].act, BGP_ACT_WITHDRAW);
	/* extended length (0x10) of 0xffff on the last attribute */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x12, ATTRS_OK, 0xd0,
				0x63, 0xff, 0xff, NLRI_OK),
			 0);
	assert_withdraw_one();
	/* Total Path Attribute Length past the message: no NLRI to find */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x40, ATTRS_OK), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
	/* Withdrawn Routes Length past the message */
	assert_int_equal(UPDATE(&ctx_v4, 0xff, 0xff, 0x00, 0x00), -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRLIST);
}

/* NLRI with a Total Path Attribute Length of 0: RFC 7606 §3 d */
static void
test_nlri_no_attributes(void **state)
{
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x00, NLRI_OK), 0);
	assert_withdraw_one();
	tu_assert_err(ERR_UPDATE, ERR_UPD_MISSING_WK_ATTR);
}

/*
 * Only an unknown optional transitive attribute: without NLRI nothing is
 * missing (RFC 7606 §5.2) and nothing happens; with NLRI the mandatory ones
 * are missing (§3 d): treat-as-withdraw, and nothing is passed on.
 */
static void
test_only_unknown_transitive(void **state)
{
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x05, 0xc0, 0x63,
				0x02, 0xab, 0xcd),
			 0);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nnlri, 0);
	assert_int_equal(upd.nwithdrawn, 0);
	assert_int_equal(upd.end_of_rib, 0);
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x05, 0xc0, 0x63,
				0x02, 0xab, 0xcd, NLRI_OK),
			 0);
	assert_withdraw_one();
	/* an unknown well-known (not optional) one: RFC 4271 §6.3 reset */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x13, ATTRS_OK, 0x40,
				0x63, 0x02, 0xab, 0xcd, NLRI_OK),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_UNKNWN_WK_ATTR);
}

/* Malformed MP_REACH_NLRI / MP_UNREACH_NLRI: RFC 7606 §7.11, §5.3 */
static void
test_malformed_mp(void **state)
{
	/* cut short before the next hop length */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x06, 0x80, 0x0e,
				0x03, 0x00, 0x02, 0x01),
			 -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	/* next hop length 5 for IPv6 */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x0d, 0x80, 0x0e,
				0x0a, 0x00, 0x02, 0x01, 0x05, 0xfd, 0, 0, 0, 1,
				0x00),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	/* next hop length past the attribute */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x08, 0x80, 0x0e,
				0x05, 0x00, 0x02, 0x01, 0xff, 0x00),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_OPTATTR);
	/* an IPv6 prefix of length 129 in MP_UNREACH_NLRI */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x07, 0x80, 0x0f,
				0x04, 0x00, 0x02, 0x01, 0x81),
			 -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	/* a prefix cut short inside MP_UNREACH_NLRI */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x08, 0x80, 0x0f,
				0x05, 0x00, 0x02, 0x01, 0x40, 0xfd),
			 -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
	/* MP_UNREACH_NLRI marked well-known: flags wrong, cannot withdraw */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x06, 0x40, 0x0f,
				0x03, 0x00, 0x02, 0x01),
			 -1);
	tu_assert_err(ERR_UPDATE, ERR_UPD_ATTRFLAGS);
	/* two MP_REACH_NLRI: RFC 7606 §3 g, reset */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x0c, 0x80, 0x0f,
				0x03, 0x00, 0x02, 0x01, 0x80, 0x0f, 0x03, 0x00,
				0x02, 0x01),
			 -1);
	assert_int_equal(tu_err.code, ERR_UPDATE);
}

/*
 * MP_UNREACH_NLRI with classic NLRI after it and no mandatory attribute:
 * the MP withdrawals stand, the NLRI are treat-as-withdraw (RFC 7606 §3 d,
 * §5.2); an empty MP_UNREACH_NLRI next to NLRI is no End-of-RIB.
 */
static void
test_mp_unreach_with_nlri(void **state)
{
	char buf[WR_PFXSTRLEN];

	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x0f, 0x80, 0x0f,
				0x0c, 0x00, 0x02, 0x01, 0x40, 0x20, 0x01, 0x0d,
				0xb8, 0x00, 0x00, 0x00, 0x00, NLRI_OK),
			 0);
	assert_withdraw_one();
	assert_int_equal(upd.nwithdrawn, 1);
	assert_string_equal(prefix_ntop(&upd.withdrawn[0], buf, sizeof(buf)),
			    "2001:db8::/64");
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x06, 0x80, 0x0f,
				0x03, 0x00, 0x02, 0x01, NLRI_OK),
			 0);
	assert_withdraw_one();
	assert_int_equal(upd.end_of_rib, 0);
}

/*
 * A zero-length flowspec NLRI (AFI 1, SAFI 133) and NLRI of an unknown AFI:
 * a family not negotiated is checked for structure and ignored (RFC 4760
 * §7); nothing reaches the RIB, the session stays.
 */
static void
test_flowspec_unknown_afi(void **state)
{
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x18, ATTRS_OK, 0x80,
				0x0e, 0x07, 0x00, 0x01, 0x85, 0x00, 0x00, 0x00,
				0x00),
			 0);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nnlri, 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x06, 0x80, 0x0f,
				0x03, 0x00, 0x01, 0x85),
			 0);
	assert_int_equal(upd.nwithdrawn, 0);
	/* AFI 99, a 4-octet next hop and one "prefix" */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x1e, ATTRS_OK, 0x80,
				0x0e, 0x0d, 0x00, 0x63, 0x01, 0x04, 0xc6, 0x12,
				0x00, 0x02, 0x00, 0x18, 0x0a, 0x00, 0x01),
			 0);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nnlri, 0);
	/* MP_UNREACH_NLRI of AFI 0 */
	assert_int_equal(UPDATE(&ctx_mp, 0x00, 0x00, 0x00, 0x06, 0x80, 0x0f,
				0x03, 0x00, 0x00, 0x00),
			 0);
	assert_int_equal(upd.nwithdrawn, 0);
}

/* RFC 9072 extended optional parameters, and an OPEN ending early */
static void
test_open_ext_params(void **state)
{
	struct bgp_open o;

	/* well-formed: one capability (4-octet AS 64512) in 2-octet form */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff, 0xff, 0x00, 0x09, 0x02,
			      0x00, 0x06, 0x41, 0x04, 0x00, 0x00, 0xfc, 0x00),
			 0);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_value, 64512);
	/* the OPEN ends at its Optional Parameters Length (255) */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* .. right after the extended type */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff, 0xff), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* .. inside the 2-octet extended length */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff, 0xff, 0x00), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* extended length past the message */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff, 0xff, 0xff, 0xf0, 0x02,
			      0x00, 0x00),
			 -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* a 2-octet parameter length past the parameters */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0xff, 0xff, 0x00, 0x03, 0x02,
			      0x01, 0x00),
			 -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* a classic length of 0 with bytes after it */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0x00, 0x02, 0x00), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* the fixed part cut short: Bad Message Length (RFC 4271 §6.1) */
	assert_int_equal(OPEN(&o, 0x04, 0xfc, 0x00, 0x00, 0x5a, 0xc6, 0x12,
			      0x00, 0x02),
			 -2);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	/* a parameter that is not a capability: RFC 4271 §6.2 subcode 4 */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0x03, 0x01, 0x01, 0x00), -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_OPT);
}

/*
 * Oversized capabilities: a Software Version capability (code 75, at most
 * 64 octets of text) of 240 octets is unknown to Wren and ignored (RFC 5492
 * §4), the capabilities after it still count; a capability length past its
 * parameter is a malformed OPEN.
 */
static void
test_oversized_capability(void **state)
{
	uint8_t m[BGP_HDR_LEN + 10 + 4 + 240 + 8] = {M16, 0, 0, BGP_OPEN};
	static const uint8_t fixed[] = {OPEN_FIXED};
	struct bgp_open o;
	size_t n = BGP_HDR_LEN;
	uint16_t len;
	uint8_t type;

	memcpy(m + n, fixed, sizeof(fixed));
	n += sizeof(fixed);
	m[n++] = 4 + 240 + 8;
	m[n++] = 0x02; /* capabilities parameter of 242 octets */
	m[n++] = 2 + 240;
	m[n++] = 0x4b; /* software version, 240 octets of 'A' */
	m[n++] = 240;
	memset(m + n, 'A', 240);
	n += 240;
	/* a second parameter: 4-octet AS 64512 */
	memcpy(m + n, (const uint8_t[]){0x02, 0x06, 0x41, 0x04, 0, 0, 0xfc, 0},
	       8);
	n += 8;
	assert_int_equal(n, sizeof(m));
	assert_int_equal(attack_open(m, n, &o), 0);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_value, 64512);
	/* a capability length past the parameter */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0x04, 0x02, 0x02, 0x4b, 0x40),
			 -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* a 4-octet AS capability of 5 octets */
	assert_int_equal(OPEN(&o, OPEN_FIXED, 0x09, 0x02, 0x07, 0x41, 0x05, 0,
			      0, 0xfc, 0, 0),
			 -1);
	tu_assert_err(ERR_OPEN, ERR_OPEN_UNSPECIFIC);
	/* an OPEN over 4096 octets never reaches the parser (RFC 8654 §4) */
	m[16] = 0x10;
	m[17] = 0x01;
	assert_int_equal(
	    bgp_hdr_parse_max(m, BGP_MAX_LEN_EXT, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
}

/*
 * ROUTE-REFRESH with ORF entries cut short (RFC 5291): Wren never announces
 * ORF, a ROUTE-REFRESH is 23 octets (RFC 2918 §3), so any other length is a
 * Bad Message Length (RFC 4271 §6.1) and no byte after the header is read.
 */
static void
test_rrefresh_orf(void **state)
{
	uint8_t m[] = {M16,  0,    0,	 BGP_ROUTE_REFRESH, 0x00, 0x01, 0x00,
		       0x01, 0x01, 0x40, 0x00,		    0x10, 0x00};
	struct bgp_rrefresh rr;
	struct ibuf b;
	uint8_t type;

	assert_int_equal(msg_hdr(m, sizeof(m), &type, &b), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	assert_int_equal(tu_err.datalen, 2);
	assert_int_equal(tu_err.data[1], sizeof(m));
	/* a BoRR of 3 octets */
	assert_int_equal(msg_hdr(m, BGP_HDR_LEN + 3, &type, &b), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
	/* a well-formed one still parses */
	assert_int_equal(msg_hdr(m, BGP_HDR_LEN + 4, &type, &b), 0);
	assert_int_equal(bgp_rrefresh_parse(&b, &rr, &tu_err), 0);
	assert_int_equal(rr.afi, AFI_IPV4);
	assert_int_equal(rr.safi, SAFI_UNICAST);
}

/*
 * A corrupted Tunnel Encapsulation attribute (RFC 9012 §13): discarded,
 * never passed on, and the route itself stays (no reset, no withdraw).
 */
static void
test_tunnel_encap_corrupt(void **state)
{
	/* a TLV of length 9 in an attribute of 6 */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x17, ATTRS_OK, 0xc0,
				0x17, 0x06, 0x00, 0x08, 0x00, 0x09, 0x04, 0x00,
				NLRI_OK),
			 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(tu_err.code, 0);
	assert_int_equal(upd.nnlri, 1);
	assert_int_equal(upd.ndiscard, 1);
	assert_int_equal(upd.attrs.unknown_len, 0);
	assert_int_equal(upd.events[0].act, BGP_ACT_DISCARD);
	assert_int_equal(upd.events[0].attr, 23);
	/* a TLV header cut short (2 octets) */
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x13, ATTRS_OK, 0xc0,
				0x17, 0x02, 0x00, 0x08, NLRI_OK),
			 0);
	assert_false(upd.treat_as_withdraw);
	assert_int_equal(upd.attrs.unknown_len, 0);
	assert_int_equal(upd.nnlri, 1);
}

/* AS_PATH abuse: a zero-count segment, a count past the attribute */
static void
test_aspath_malformed(void **state)
{
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x10, 0x40, 0x01,
				0x01, 0x00, 0x40, 0x02, 0x02, 0x02, 0x00, 0x40,
				0x03, 0x04, 0xc6, 0x12, 0x00, 0x02, NLRI_OK),
			 0);
	assert_withdraw_one();
	assert_int_equal(UPDATE(&ctx_v4, 0x00, 0x00, 0x00, 0x14, 0x40, 0x01,
				0x01, 0x00, 0x40, 0x02, 0x06, 0x02, 0x7f, 0x00,
				0x00, 0xfc, 0x00, 0x40, 0x03, 0x04, 0xc6, 0x12,
				0x00, 0x02, NLRI_OK),
			 0);
	assert_withdraw_one();
}

/* A header that lies: bad marker, type 0 and 255, length under 19 */
static void
test_header_lies(void **state)
{
	uint8_t m[BGP_HDR_LEN] = {M16, 0x00, 0x13, BGP_KEEPALIVE};
	uint8_t type;
	uint16_t len;

	m[0] = 0x00;
	assert_int_equal(
	    bgp_hdr_parse_max(m, BGP_MAX_LEN, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_SYNC);
	m[0] = 0xff;
	m[18] = 0xff;
	assert_int_equal(
	    bgp_hdr_parse_max(m, BGP_MAX_LEN, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_TYPE);
	m[18] = BGP_UPDATE;
	m[17] = 0x00;
	assert_int_equal(
	    bgp_hdr_parse_max(m, BGP_MAX_LEN, &type, &len, &tu_err), -1);
	tu_assert_err(ERR_HEADER, ERR_HDR_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attr_length_overrun),
	    cmocka_unit_test(test_nlri_no_attributes),
	    cmocka_unit_test(test_only_unknown_transitive),
	    cmocka_unit_test(test_malformed_mp),
	    cmocka_unit_test(test_mp_unreach_with_nlri),
	    cmocka_unit_test(test_flowspec_unknown_afi),
	    cmocka_unit_test(test_open_ext_params),
	    cmocka_unit_test(test_oversized_capability),
	    cmocka_unit_test(test_rrefresh_orf),
	    cmocka_unit_test(test_tunnel_encap_corrupt),
	    cmocka_unit_test(test_aspath_malformed),
	    cmocka_unit_test(test_header_lies),
	};

	return cmocka_run_group_tests(tests, tu_upd_setup, tu_upd_teardown);
}
