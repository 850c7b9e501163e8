/*
 * tests/unit/test_lib.c: lib/ (buffers, addresses, JSON).  The buffer tests
 * sit on the boundaries: exactly enough bytes must work, one byte short must
 * fail and leave the buffer as it was, because every wire parser relies on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "addr.h"
#include "buf.h"
#include "json.h"
#include "pfxset.h"
#include "ratelim.h"

/* ---- ibuf ---------------------------------------------------------------- */

static void
test_ibuf_u8(void **state)
{
	static const uint8_t d[] = { 0xab };
	struct ibuf b;
	uint8_t v = 0;

	ibuf_init(&b, d, sizeof(d));
	assert_int_equal(ibuf_left(&b), 1);
	assert_ptr_equal(ibuf_ptr(&b), d);
	assert_int_equal(ibuf_get_u8(&b, &v), 0);
	assert_int_equal(v, 0xab);
	assert_int_equal(ibuf_left(&b), 0);
	v = 0x11;
	assert_int_equal(ibuf_get_u8(&b, &v), -1);
	assert_int_equal(v, 0x11);	/* untouched on failure */
	assert_int_equal(ibuf_left(&b), 0);
}

static void
test_ibuf_u16(void **state)
{
	static const uint8_t d[] = { 0x12, 0x34, 0x56 };
	struct ibuf b;
	uint16_t v = 0;
	uint8_t v8 = 0;

	ibuf_init(&b, d, 2);
	assert_int_equal(ibuf_get_u16(&b, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(ibuf_left(&b), 0);
	/* One byte short: fails and consumes nothing. */
	ibuf_init(&b, d, 3);
	assert_int_equal(ibuf_get_u16(&b, &v), 0);
	v = 0x7777;
	assert_int_equal(ibuf_get_u16(&b, &v), -1);
	assert_int_equal(v, 0x7777);
	assert_int_equal(ibuf_left(&b), 1);
	assert_int_equal(ibuf_get_u8(&b, &v8), 0);
	assert_int_equal(v8, 0x56);
}

static void
test_ibuf_u32(void **state)
{
	static const uint8_t d[] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03 };
	struct ibuf b;
	uint32_t v = 0;

	ibuf_init(&b, d, 4);
	assert_int_equal(ibuf_get_u32(&b, &v), 0);
	assert_int_equal(v, 0xdeadbeefU);
	assert_int_equal(ibuf_left(&b), 0);
	ibuf_init(&b, d + 4, 3);
	v = 42;
	assert_int_equal(ibuf_get_u32(&b, &v), -1);
	assert_int_equal(v, 42);
	assert_int_equal(ibuf_left(&b), 3);
	assert_ptr_equal(ibuf_ptr(&b), d + 4);
}

static void
test_ibuf_bytes_skip(void **state)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5 };
	uint8_t out[8];
	struct ibuf b;

	ibuf_init(&b, d, sizeof(d));
	assert_int_equal(ibuf_get_bytes(&b, out, 0), 0);
	assert_int_equal(ibuf_left(&b), 5);
	assert_int_equal(ibuf_get_bytes(&b, out, 6), -1);
	assert_int_equal(ibuf_left(&b), 5);
	assert_int_equal(ibuf_get_bytes(&b, out, 2), 0);
	assert_memory_equal(out, d, 2);
	assert_int_equal(ibuf_skip(&b, 4), -1);
	assert_int_equal(ibuf_skip(&b, 3), 0);
	assert_int_equal(ibuf_left(&b), 0);
	assert_int_equal(ibuf_skip(&b, 0), 0);
	assert_int_equal(ibuf_skip(&b, 1), -1);
	assert_int_equal(ibuf_get_bytes(&b, out, 0), 0);
	/* An empty buffer over no memory at all. */
	ibuf_init(&b, NULL, 0);
	assert_int_equal(ibuf_left(&b), 0);
	assert_int_equal(ibuf_get_bytes(&b, out, 0), 0);
	assert_int_equal(ibuf_get_u8(&b, out), -1);
	/* A huge skip must not wrap around. */
	ibuf_init(&b, d, sizeof(d));
	assert_int_equal(ibuf_skip(&b, SIZE_MAX), -1);
	assert_int_equal(ibuf_get_bytes(&b, out, SIZE_MAX), -1);
}

static void
test_ibuf_sub(void **state)
{
	static const uint8_t d[] = { 0, 3, 0xaa, 0xbb, 0xcc, 0x99 };
	struct ibuf b, sub, sub2;
	uint16_t len;
	uint32_t v32;
	uint8_t v;

	ibuf_init(&b, d, sizeof(d));
	assert_int_equal(ibuf_get_u16(&b, &len), 0);
	assert_int_equal(ibuf_sub(&b, len, &sub), 0);
	/* The parent moved past the sub-buffer ... */
	assert_int_equal(ibuf_left(&b), 1);
	assert_int_equal(ibuf_get_u8(&b, &v), 0);
	assert_int_equal(v, 0x99);
	/* ... and the sub-buffer cannot read into what follows it. */
	assert_int_equal(ibuf_left(&sub), 3);
	assert_int_equal(ibuf_get_u32(&sub, &v32), -1);
	assert_int_equal(ibuf_skip(&sub, 4), -1);
	assert_int_equal(ibuf_sub(&sub, 4, &sub2), -1);
	assert_int_equal(ibuf_sub(&sub, 3, &sub2), 0);
	assert_int_equal(ibuf_left(&sub), 0);
	assert_int_equal(ibuf_get_u8(&sub2, &v), 0);
	assert_int_equal(v, 0xaa);
	/* A length longer than what is left fails and moves nothing. */
	ibuf_init(&b, d, sizeof(d));
	assert_int_equal(ibuf_sub(&b, 7, &sub), -1);
	assert_int_equal(ibuf_left(&b), 6);
	assert_int_equal(ibuf_sub(&b, 6, &sub), 0);
	assert_int_equal(ibuf_left(&b), 0);
	assert_int_equal(ibuf_sub(&b, 0, &sub), 0);
	assert_int_equal(ibuf_left(&sub), 0);
}

/* ---- wbuf ---------------------------------------------------------------- */

static void
test_wbuf_put(void **state)
{
	static const uint8_t expect[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x07, 0xaa, 0xbb };
	uint8_t mem[9];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	assert_int_equal(wbuf_left(&w), 9);
	assert_int_equal(wbuf_put_u8(&w, 0x01), 0);
	assert_int_equal(wbuf_put_u16(&w, 0x0203), 0);
	assert_int_equal(wbuf_put_u32(&w, 0x04050607), 0);
	assert_int_equal(wbuf_put_bytes(&w, "\xaa\xbb", 2), 0);
	assert_int_equal(w.len, 9);
	assert_int_equal(wbuf_left(&w), 0);
	assert_int_equal(w.err, 0);
	assert_memory_equal(mem, expect, sizeof(expect));
	assert_int_equal(wbuf_put_bytes(&w, NULL, 0), 0);
	assert_int_equal(w.err, 0);
}

static void
test_wbuf_overflow_sticks(void **state)
{
	uint8_t mem[5];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	assert_int_equal(wbuf_put_u32(&w, 1), 0);
	/* One byte left: a u16 does not fit, and nothing is written. */
	assert_int_equal(wbuf_put_u16(&w, 0xffff), -1);
	assert_int_equal(w.err, 1);
	assert_int_equal(w.len, 4);
	/* After an overflow every write fails, even one that would fit. */
	assert_int_equal(wbuf_left(&w), 0);
	assert_int_equal(wbuf_put_u8(&w, 1), -1);
	assert_int_equal(wbuf_put_bytes(&w, NULL, 0), -1);
	assert_int_equal(wbuf_reserve(&w, 0), -1);
	assert_int_equal(w.len, 4);
	assert_int_equal(w.err, 1);
	/* Each width at its boundary. */
	wbuf_init(&w, mem, 3);
	assert_int_equal(wbuf_put_u32(&w, 1), -1);
	wbuf_init(&w, mem, 1);
	assert_int_equal(wbuf_put_u16(&w, 1), -1);
	wbuf_init(&w, mem, 0);
	assert_int_equal(wbuf_put_u8(&w, 1), -1);
	wbuf_init(&w, mem, 4);
	assert_int_equal(wbuf_put_bytes(&w, "abcde", 5), -1);
	assert_int_equal(w.len, 0);
}

static void
test_wbuf_reserve_set(void **state)
{
	uint8_t mem[8];
	struct wbuf w;
	long off;

	memset(mem, 0xee, sizeof(mem));
	wbuf_init(&w, mem, sizeof(mem));
	assert_int_equal(wbuf_put_u8(&w, 0x42), 0);
	off = wbuf_reserve(&w, 2);	/* a length field, filled in later */
	assert_int_equal(off, 1);
	assert_int_equal(mem[1], 0);	/* reserved bytes are zeroed */
	assert_int_equal(mem[2], 0);
	assert_int_equal(wbuf_put_u32(&w, 0x01020304), 0);
	assert_int_equal(wbuf_set_u16(&w, (size_t)off, (uint16_t)(w.len - 3)),
	    0);
	assert_int_equal(mem[1], 0);
	assert_int_equal(mem[2], 4);
	assert_int_equal(wbuf_set_u8(&w, 0, 0x43), 0);
	assert_int_equal(mem[0], 0x43);
	/* Setting only works inside what was written. */
	assert_int_equal(w.len, 7);
	assert_int_equal(wbuf_set_u8(&w, 6, 1), 0);
	assert_int_equal(wbuf_set_u8(&w, 7, 1), -1);
	assert_int_equal(wbuf_set_u16(&w, 5, 1), 0);
	assert_int_equal(wbuf_set_u16(&w, 6, 1), -1);
	assert_int_equal(mem[7], 0xee);
	/* set never sets err: it is a caller bug, not an overflow. */
	assert_int_equal(w.err, 0);
	/* Reserving one byte more than left fails and sticks. */
	assert_int_equal(wbuf_reserve(&w, 2), -1);
	assert_int_equal(w.err, 1);
	assert_int_equal(w.len, 7);
	wbuf_init(&w, mem, sizeof(mem));
	assert_int_equal(wbuf_reserve(&w, 8), 0);
	assert_int_equal(wbuf_left(&w), 0);
	assert_int_equal(wbuf_reserve(&w, 0), 8);
}

/* ---- addresses ----------------------------------------------------------- */

static struct wr_addr
A(const char *s)
{
	struct wr_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct wr_prefix
P(const char *s)
{
	struct wr_prefix p;

	if (prefix_parse(s, &p) != 0)
		fail_msg("prefix_parse(\"%s\") failed", s);
	return p;
}

static void
test_addr_parse_ntop(void **state)
{
	static const char *good[] = { "0.0.0.0", "10.244.1.5",
	    "255.255.255.255", "::", "::1", "2001:db8::1", "fe80::1:2",
	    "::ffff:1.2.3.4", "2001:db8:0:1:2:3:4:5" };
	static const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1",
	    "1.2.3.4 ", " 1.2.3.4", "::g", "1::2::3", "10.0.0.0/8", "x",
	    "01.2.3.4x", "2001:db8::1%eth0" };
	char buf[WR_ADDRSTRLEN];
	struct wr_addr a;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		a = A(good[i]);
		assert_int_equal(a.af, strchr(good[i], ':') ? AF_INET6 :
		    AF_INET);
		assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x55, sizeof(a));
		if (addr_parse(bad[i], &a) != -1)
			fail_msg("addr_parse(\"%s\") accepted", bad[i]);
	}
	/* Canonical v6 text. */
	a = A("2001:0DB8:0000:0000:0000:0000:0000:0001");
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "2001:db8::1");
	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "-");
	assert_false(addr_is_set(&a));
	a = A("1.2.3.4");
	assert_true(addr_is_set(&a));
	/* A short buffer never overflows. */
	a = A("2001:db8::1");
	assert_string_equal(addr_ntop(&a, buf, 4), "?");
}

static void
test_addr_misc(void **state)
{
	struct wr_addr a, b;

	assert_int_equal(addr_bits(AF_INET), 32);
	assert_int_equal(addr_bits(AF_INET6), 128);
	addr_from_v4(&a, 0x0a000001);
	b = A("10.0.0.1");
	assert_int_equal(addr_cmp(&a, &b), 0);
	/* Unused bytes stay zero so addresses compare with memcmp. */
	assert_memory_equal(&a, &b, sizeof(a));
	/* Order: all IPv4 before all IPv6, then by bytes (network order). */
	a = A("10.0.0.1");
	b = A("10.0.0.2");
	assert_true(addr_cmp(&a, &b) < 0);
	assert_true(addr_cmp(&b, &a) > 0);
	a = A("9.255.255.255");
	b = A("10.0.0.0");
	assert_true(addr_cmp(&a, &b) < 0);
	a = A("255.255.255.255");
	b = A("::");
	assert_true(addr_cmp(&a, &b) < 0);
	a = A("2001:db8::1");
	b = A("2001:db8::1:0");
	assert_true(addr_cmp(&a, &b) < 0);
}

static void
test_prefix_parse(void **state)
{
	char buf[WR_PFXSTRLEN];
	struct wr_prefix p;

	p = P("10.244.1.5");		/* no length: a host route */
	assert_int_equal(p.len, 32);
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.244.1.5/32");
	p = P("2001:db8::5");
	assert_int_equal(p.len, 128);
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)),
	    "2001:db8::5/128");
	p = P("10.0.0.0/8");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.0.0.0/8");
	p = P("0.0.0.0/0");
	assert_int_equal(p.len, 0);
	p = P("::/0");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "::/0");
	p = P("10.0.0.0/32");
	assert_int_equal(p.len, 32);
	p = P("2001:db8::/128");
	assert_int_equal(p.len, 128);
	assert_int_equal(prefix_parse("10.0.0.0/33", &p), -1);
	assert_int_equal(prefix_parse("2001:db8::/129", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/-1", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/8x", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/x", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/8/8", &p), -1);
	assert_int_equal(prefix_parse("10.0.0/8", &p), -1);
	assert_int_equal(prefix_parse("/8", &p), -1);
	assert_int_equal(prefix_parse("", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/99999999999999999999", &p),
	    -1);
	/* The longest spelling of an IPv6 prefix fits ... */
	p = P("0000:0000:0000:0000:0000:ffff:255.255.255.255/128");
	assert_int_equal(p.len, 128);
	/* ... and anything longer is rejected, not truncated. */
	assert_int_equal(prefix_parse("0000:0000:0000:0000:0000:ffff:"
	    "255.255.255.255/0128", &p), -1);
	assert_int_equal(prefix_parse("10.0.0.0/00000000000000000000000000"
	    "00000000000000000000008", &p), -1);
}

static void
test_prefix_mask(void **state)
{
	char buf[WR_PFXSTRLEN];
	struct wr_prefix p;

	/* Host bits are cleared, so equal prefixes compare equal. */
	p = P("10.1.2.3/8");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.0.0.0/8");
	p = P("10.255.255.255/9");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.128.0.0/9");
	p = P("192.168.1.255/31");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)),
	    "192.168.1.254/31");
	p = P("255.255.255.255/0");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "0.0.0.0/0");
	p = P("2001:db8:ffff:ffff::1/33");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)),
	    "2001:db8:8000::/33");
	p = P("2001:db8::ffff/127");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)),
	    "2001:db8::fffe/127");
	p = P("ffff::/0");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "::/0");
	/* prefix_mask on its own, as tables use it. */
	p.addr = A("10.9.8.7");
	p.len = 24;
	prefix_mask(&p);
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.9.8.0/24");
	p.addr = A("10.9.8.7");
	p.len = 32;
	prefix_mask(&p);
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "10.9.8.7/32");
	/* IPv4 leaves the unused 12 bytes zero. */
	p = P("10.1.2.3/8");
	assert_memory_equal(p.addr.b + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
}

static void
test_prefix_cmp(void **state)
{
	/* Sorted: address first, then shorter before longer, v4 before v6. */
	static const char *order[] = { "0.0.0.0/0", "10.0.0.0/8",
	    "10.0.0.0/16", "10.0.0.0/32", "10.0.0.1/32", "10.1.0.0/16",
	    "192.168.0.0/16", "::/0", "2001:db8::/32", "2001:db8::/64",
	    "2001:db8::1/128" };
	struct wr_prefix a, b;
	size_t i, j, n = sizeof(order) / sizeof(order[0]);

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int r;

			a = P(order[i]);
			b = P(order[j]);
			r = prefix_cmp(&a, &b);
			if ((i < j && r >= 0) || (i > j && r <= 0) ||
			    (i == j && r != 0))
				fail_msg("prefix_cmp(%s, %s) = %d", order[i],
				    order[j], r);
		}
	}
	/* Host bits do not matter once parsed. */
	a = P("10.1.2.3/8");
	b = P("10.0.0.0/8");
	assert_int_equal(prefix_cmp(&a, &b), 0);
}

static void
test_prefix_contains(void **state)
{
	static const struct {
		const char	*pfx, *addr;
		int		 in;
	} v[] = {
		{"10.0.0.0/8", "10.0.0.0", 1},
		{"10.0.0.0/8", "10.255.255.255", 1},
		{"10.0.0.0/8", "11.0.0.0", 0},
		{"10.0.0.0/8", "9.255.255.255", 0},
		{"10.244.1.5/32", "10.244.1.5", 1},
		{"10.244.1.5/32", "10.244.1.4", 0},
		{"0.0.0.0/0", "203.0.113.9", 1},
		/* Never across families, not even for ::/0 and a v4-mapped
		 * address. */
		{"0.0.0.0/0", "::1", 0},
		{"::/0", "::1", 1},
		{"::/0", "1.2.3.4", 0},
		{"2001:db8::/33", "2001:db8:7fff::1", 1},
		{"2001:db8::/33", "2001:db8:8000::", 0},
	};
	struct wr_prefix p;
	struct wr_addr a;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p = P(v[i].pfx);
		a = A(v[i].addr);
		if ((prefix_contains(&p, &a) != 0) != v[i].in)
			fail_msg("%s in %s: want %d", v[i].addr, v[i].pfx,
			    v[i].in);
	}
}

/*
 * addr_to_sockaddr(a, port) into *ss gives a sockaddr of len octets, and
 * addr_from_sockaddr() back gives *b, equal to a, and the port.
 */
static void
sockaddr_roundtrip(const struct wr_addr *a, uint16_t port,
    struct sockaddr_storage *ss, socklen_t len, struct wr_addr *b)
{
	socklen_t slen = 0;
	uint16_t p = 0;

	assert_int_equal(addr_to_sockaddr(a, port, ss, &slen), 0);
	assert_int_equal(slen, len);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)ss, b, &p), 0);
	assert_int_equal(p, port);
	assert_int_equal(addr_cmp(a, b), 0);
}

static void
test_sockaddr_v4(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct wr_addr a = A("198.18.0.2"), b;

	sockaddr_roundtrip(&a, 179, &ss, sizeof(struct sockaddr_in), &b);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 179);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc6120002);
	assert_memory_equal(&a, &b, sizeof(a));
	/* The port is optional. */
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, &b, NULL),
	    0);
}

static void
test_sockaddr_v6(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct wr_addr a = A("2001:db8::2"), b;

	sockaddr_roundtrip(&a, 65535, &ss, sizeof(struct sockaddr_in6), &b);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 65535);
	assert_int_equal(sin6->sin6_scope_id, 0);
}

static void
test_sockaddr_v4mapped(void **state)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct sockaddr_storage ss;
	struct wr_addr a, b;
	socklen_t slen;
	uint16_t port = 0;

	/* A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(50123);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.18.0.3",
	    &sin6.sin6_addr), 1);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sin6, &a,
	    &port), 0);
	assert_int_equal(a.af, AF_INET);
	assert_int_equal(port, 50123);
	b = A("198.18.0.3");
	assert_memory_equal(&a, &b, sizeof(a));
	/* Not mapped: ::198.18.0.3 (deprecated v4-compatible) stays v6. */
	assert_int_equal(inet_pton(AF_INET6, "::198.18.0.3",
	    &sin6.sin6_addr), 1);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sin6, &a,
	    NULL), 0);
	assert_int_equal(a.af, AF_INET6);
	/* Other families and unset addresses are refused. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sun, &a,
	    &port), -1);
	memset(&a, 0, sizeof(a));
	assert_int_equal(addr_to_sockaddr(&a, 179, &ss, &slen), -1);
}

/* ---- JSON ---------------------------------------------------------------- */

static FILE *
mem_open(char **s, size_t *n)
{
	FILE *f;

	*s = NULL;
	f = open_memstream(s, n);
	assert_non_null(f);
	return f;
}

/* open_memstream only updates the pointer on fflush/fclose: pass its address. */
static void
mem_check(FILE *f, char **s, const char *expect)
{
	fclose(f);
	assert_string_equal(*s, expect);
	free(*s);
}

static void
test_json_empty(void **state)
{
	struct json j;
	size_t n;
	char *s;
	FILE *f;

	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_obj_close(&j);
	mem_check(f, &s, "{}");
	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_arr_open(&j, "a");
	json_arr_close(&j);
	json_obj_open(&j, "o");
	json_obj_close(&j);
	json_arr_open(&j, "b");
	json_arr_open(&j, NULL);
	json_arr_close(&j);
	json_arr_open(&j, NULL);
	json_arr_close(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	mem_check(f, &s, "{\"a\":[],\"o\":{},\"b\":[[],[]]}");
}

static void
test_json_nesting(void **state)
{
	struct json j;
	size_t n;
	char *s;
	FILE *f;

	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_obj_open(&j, "a");
	json_arr_open(&j, "b");
	json_int(&j, NULL, 1);
	json_int(&j, NULL, -2);
	json_obj_open(&j, NULL);
	json_bool(&j, "c", 1);
	json_bool(&j, "d", 0);
	json_obj_close(&j);
	json_arr_close(&j);
	json_null(&j, "e");
	json_obj_close(&j);
	json_str(&j, "f", "x");
	json_uint(&j, "g", UINT64_MAX);
	json_int(&j, "h", INT64_MIN);
	json_obj_close(&j);
	mem_check(f, &s, "{\"a\":{\"b\":[1,-2,{\"c\":true,\"d\":false}],"
	    "\"e\":null},\"f\":\"x\",\"g\":18446744073709551615,"
	    "\"h\":-9223372036854775808}");
}

static void
test_json_deep(void **state)
{
	char expect[2 * JSON_MAXDEPTH + 8];
	struct json j;
	size_t n;
	char *s;
	FILE *f;
	int i, d = JSON_MAXDEPTH - 1;

	/* The deepest nesting the writer tracks, with commas at each level. */
	f = mem_open(&s, &n);
	json_init(&j, f);
	for (i = 0; i < d; i++)
		json_arr_open(&j, NULL);
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	for (i = 0; i < d; i++)
		json_arr_close(&j);
	memset(expect, '[', (size_t)d);
	snprintf(expect + d, sizeof(expect) - (size_t)d, "1,2");
	memset(expect + d + 3, ']', (size_t)d);
	expect[2 * d + 3] = '\0';
	mem_check(f, &s, expect);
}

static void
test_json_escape(void **state)
{
	struct json j;
	size_t n;
	char *s;
	FILE *f;

	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "q", "say \"hi\"");
	json_str(&j, "b", "C:\\dir\\");
	json_str(&j, "c", "a\nb\tc\r\001\037");
	json_str(&j, "k\"ey", "");
	json_str(&j, "u", "h\xc3\xa9 / \x7f");	/* UTF-8 and DEL pass */
	json_obj_close(&j);
	mem_check(f, &s, "{\"q\":\"say \\\"hi\\\"\",\"b\":\"C:\\\\dir\\\\\","
	    "\"c\":\"a\\u000ab\\u0009c\\u000d\\u0001\\u001f\","
	    "\"k\\\"ey\":\"\",\"u\":\"h\xc3\xa9 / \x7f\"}");
}

/* The shape INTERFACE.md promises for "wrenctl -j show neighbors". */
static void
test_json_interface_shape(void **state)
{
	struct json j;
	size_t n;
	char *s;
	FILE *f;

	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_arr_open(&j, "neighbors");
	json_obj_open(&j, NULL);
	json_str(&j, "address", "198.18.0.2");
	json_uint(&j, "remote_as", 64512);
	json_str(&j, "state", "Established");
	json_int(&j, "state_since", 1795770000);
	json_uint(&j, "prefixes_received", 3);
	json_uint(&j, "prefixes_accepted", 3);
	json_uint(&j, "prefixes_sent", 2);
	json_obj_close(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	mem_check(f, &s, "{\"neighbors\":[{\"address\":\"198.18.0.2\","
	    "\"remote_as\":64512,\"state\":\"Established\","
	    "\"state_since\":1795770000,\"prefixes_received\":3,"
	    "\"prefixes_accepted\":3,\"prefixes_sent\":2}]}");
	f = mem_open(&s, &n);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_arr_open(&j, "routes");
	json_obj_open(&j, NULL);
	json_str(&j, "prefix", "10.244.1.5/32");
	json_bool(&j, "best", 1);
	json_arr_open(&j, "as_path");
	json_arr_close(&j);
	json_uint(&j, "local_pref", 100);
	json_obj_close(&j);
	json_obj_open(&j, NULL);
	json_str(&j, "prefix", "10.244.2.0/26");
	json_arr_open(&j, "as_path");
	json_uint(&j, NULL, 64513);
	json_uint(&j, NULL, 4200000000U);
	json_arr_close(&j);
	json_obj_close(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	mem_check(f, &s, "{\"routes\":[{\"prefix\":\"10.244.1.5/32\","
	    "\"best\":true,\"as_path\":[],\"local_pref\":100},"
	    "{\"prefix\":\"10.244.2.0/26\",\"as_path\":[64513,4200000000]}]}");
}

/* pfxset against a plain array, with many deletions (probe runs wrap) */
static void
t_pfxset_random(void **state)
{
	static struct wr_prefix ref[4000];
	static int in[4000];
	struct pfxset set = { 0 };
	unsigned seed = 7;
	size_t i, n = 0;
	int round;

	(void)state;
	for (i = 0; i < 4000; i++) {
		/* the /31s start at even addresses: all 4000 are distinct */
		addr_from_v4(&ref[i].addr, 0x0af40000u +
		    (uint32_t)(i < 2000 ? i : (i - 2000) * 2));
		ref[i].len = i < 2000 ? 32 : 31;
		if (i >= 2000)
			prefix_mask(&ref[i]);
	}
	for (round = 0; round < 200000; round++) {
		seed = seed * 1103515245u + 12345u;
		i = (seed >> 8) % 4000;
		if (in[i]) {
			assert_int_equal(pfxset_del(&set, &ref[i]), 1);
			in[i] = 0;
			n--;
		} else {
			assert_int_equal(pfxset_add(&set, &ref[i]), 1);
			in[i] = 1;
			n++;
		}
		assert_int_equal(set.count, n);
	}
	for (i = 0; i < 4000; i++) {
		assert_int_equal(pfxset_has(&set, &ref[i]), in[i]);
		assert_int_equal(pfxset_add(&set, &ref[i]), in[i] ? 0 : 1);
	}
	assert_int_equal(pfxset_del(&set, &ref[0]), 1);
	assert_int_equal(pfxset_del(&set, &ref[0]), 0);
	pfxset_clear(&set);
	assert_int_equal(pfxset_has(&set, &ref[1]), 0);
	assert_int_equal(pfxset_del(&set, &ref[1]), 0);
}

/* identifiers in host order print as dotted quads, high byte first */
static void
t_addr_id_ntop(void **state)
{
	char b[WR_IDSTRLEN];

	(void)state;
	assert_string_equal(addr_id_ntop(0xc6120001u, b, sizeof(b)),
	    "198.18.0.1");
	assert_string_equal(addr_id_ntop(0xffffffffu, b, sizeof(b)),
	    "255.255.255.255");
	assert_string_equal(addr_id_ntop(0, b, sizeof(b)), "0.0.0.0");
}

/* The token bucket: a burst, then one a second, quiet ones counted. */
static void
t_ratelim(void **state)
{
	struct ratelim r = { 0 };
	int i, n;

	(void)state;
	for (i = n = 0; i < 25; i++)
		n += ratelim_take(&r, 1000, 10);
	assert_int_equal(n, 10);
	assert_int_equal(ratelim_quiet(&r), 15);
	assert_int_equal(ratelim_quiet(&r), 0);
	/* one second: one token; a clock going back gives none */
	assert_true(ratelim_take(&r, 1001, 10));
	assert_false(ratelim_take(&r, 1001, 10));
	assert_false(ratelim_take(&r, 990, 10));
	assert_int_equal(ratelim_quiet(&r), 2);
	/* a long pause refills to the burst, never beyond */
	for (i = n = 0; i < 25; i++)
		n += ratelim_take(&r, 5000, 10);
	assert_int_equal(n, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ibuf_u8),
		cmocka_unit_test(test_ibuf_u16),
		cmocka_unit_test(test_ibuf_u32),
		cmocka_unit_test(test_ibuf_bytes_skip),
		cmocka_unit_test(test_ibuf_sub),
		cmocka_unit_test(test_wbuf_put),
		cmocka_unit_test(test_wbuf_overflow_sticks),
		cmocka_unit_test(test_wbuf_reserve_set),
		cmocka_unit_test(test_addr_parse_ntop),
		cmocka_unit_test(test_addr_misc),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_mask),
		cmocka_unit_test(test_prefix_cmp),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_sockaddr_v4),
		cmocka_unit_test(test_sockaddr_v6),
		cmocka_unit_test(test_sockaddr_v4mapped),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_json_deep),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_interface_shape),
		cmocka_unit_test(t_pfxset_random),
		cmocka_unit_test(t_addr_id_ntop),
		cmocka_unit_test(t_ratelim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
