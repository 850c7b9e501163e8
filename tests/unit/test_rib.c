/* tests/unit/test_rib.c: the Loc-RIB, Adj-RIB-In, interning and AS_PATH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rib.h"

/* Build an AS_PATH: segments given as type, count, ASes..., 0 to end. */
static size_t
mkpath(uint8_t *buf, ...)
{
	va_list ap;
	size_t len = 0;
	int type, count, i;
	uint32_t as;

	va_start(ap, buf);
	while ((type = va_arg(ap, int)) != 0) {
		count = va_arg(ap, int);
		buf[len++] = (uint8_t)type;
		buf[len++] = (uint8_t)count;
		for (i = 0; i < count; i++) {
			as = va_arg(ap, uint32_t);
			buf[len++] = as >> 24;
			buf[len++] = as >> 16;
			buf[len++] = as >> 8;
			buf[len++] = as;
		}
	}
	va_end(ap);
	return len;
}

static void
mkattrs(struct rib_attrs *a, const uint8_t *path, size_t plen,
    const char *nh)
{
	memset(a, 0, sizeof(*a));
	a->origin = ORIGIN_IGP;
	a->aspath = path;
	a->aspath_len = (uint16_t)plen;
	if (nh != NULL)
		assert_int_equal(addr_parse(nh, &a->nexthop), 0);
}

/* A parsed prefix, from a small ring so a few can be live at once. */
static const struct wr_prefix *
P(const char *s)
{
	static struct wr_prefix ring[8];
	static unsigned next;
	struct wr_prefix *p = &ring[next++ % 8];

	assert_int_equal(prefix_parse(s, p), 0);
	return p;
}

/* ---- AS_PATH ---- */

static void
t_aspath(void **state)
{
	uint8_t p[64], out[64];
	char buf[64];
	size_t len;
	int n;

	len = mkpath(p, AS_SEQUENCE, 3, 1u, 2u, 3u, AS_SET, 2, 4u, 5u,
	    AS_CONFED_SEQUENCE, 2, 6u, 7u, AS_CONFED_SET, 1, 8u, 0);
	assert_true(aspath_valid(p, len));
	assert_int_equal(aspath_length(p, len), 4);
	assert_int_equal(aspath_first_as(p, len), 1);
	assert_true(aspath_contains(p, len, 5));
	assert_true(aspath_contains(p, len, 8));
	assert_false(aspath_contains(p, len, 9));
	aspath_fmt(p, len, buf, sizeof(buf));
	assert_string_equal(buf, "1 2 3 {4 5} (6 7) [8]");
	aspath_fmt(p, len, buf, 6);
	assert_string_equal(buf, "1 2 3");
	aspath_fmt(p, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");

	/* malformed: truncated, bad type, zero count */
	assert_true(aspath_valid(p, 0));
	assert_false(aspath_valid(p, len - 1));
	assert_false(aspath_valid(p, 1));
	out[0] = 9;
	out[1] = 1;
	memset(out + 2, 0, 4);
	assert_false(aspath_valid(out, 6));
	out[0] = AS_SEQUENCE;
	out[1] = 0;
	assert_false(aspath_valid(out, 2));

	/* prepend into a leading AS_SEQUENCE */
	n = aspath_prepend(p, len, 64512, out, sizeof(out));
	assert_int_equal(n, (int)len + 4);
	aspath_fmt(out, (size_t)n, buf, sizeof(buf));
	assert_string_equal(buf, "64512 1 2 3 {4 5} (6 7) [8]");
	assert_int_equal(aspath_prepend(p, len, 1, out, len + 3), -1);
	/* in place */
	memcpy(out, p, len);
	n = aspath_prepend(out, len, 9, out, sizeof(out));
	aspath_fmt(out, (size_t)n, buf, sizeof(buf));
	assert_string_equal(buf, "9 1 2 3 {4 5} (6 7) [8]");
	/* empty, or an AS_SET first: a new segment */
	n = aspath_prepend(p, 0, 65000, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_int_equal(aspath_first_as(out, 6), 65000);
	len = mkpath(p, AS_SET, 2, 1u, 2u, 0);
	assert_int_equal(aspath_first_as(p, len), 0);
	n = aspath_prepend(p, len, 3, out, sizeof(out));
	aspath_fmt(out, (size_t)n, buf, sizeof(buf));
	assert_string_equal(buf, "3 {1 2}");
	assert_int_equal(aspath_length(out, (size_t)n), 2);
	/* leading confederation segments are skipped for the neighbor AS */
	len = mkpath(p, AS_CONFED_SEQUENCE, 1, 7u, AS_SEQUENCE, 1, 42u, 0);
	assert_int_equal(aspath_first_as(p, len), 42);
	assert_int_equal(aspath_length(p, len), 1);
}

static void
t_aspath_full_segment(void **state)
{
	uint8_t p[2 + 255 * 4], out[sizeof(p) + 6];
	int i, n;

	p[0] = AS_SEQUENCE;
	p[1] = 255;
	for (i = 0; i < 255; i++) {
		p[2 + i * 4] = 0;
		p[3 + i * 4] = 0;
		p[4 + i * 4] = 0;
		p[5 + i * 4] = (uint8_t)i;
	}
	assert_int_equal(aspath_length(p, sizeof(p)), 255);
	n = aspath_prepend(p, sizeof(p), 65001, out, sizeof(out));
	assert_int_equal(n, (int)sizeof(p) + 6);
	assert_true(aspath_valid(out, (size_t)n));
	assert_int_equal(out[1], 1);
	assert_int_equal(aspath_length(out, (size_t)n), 256);
	assert_int_equal(aspath_first_as(out, (size_t)n), 65001);
}

/* ---- interning ---- */

static void
t_intern(void **state)
{
	uint8_t p1[16], p2[16], comm[4] = { 0xff, 0xff, 0xff, 0x01 };
	struct rib_attrs t1, t2;
	const struct rib_attrs *a, *b, *c;
	size_t l1, l2, base = rib_attrs_count();

	l1 = mkpath(p1, AS_SEQUENCE, 2, 1u, 2u, 0);
	l2 = mkpath(p2, AS_SEQUENCE, 2, 1u, 2u, 0);
	mkattrs(&t1, p1, l1, "192.0.2.1");
	mkattrs(&t2, p2, l2, "192.0.2.1");
	a = rib_attrs_intern(&t1);
	b = rib_attrs_intern(&t2);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(rib_attrs_count(), base + 1);
	assert_ptr_not_equal(a->aspath, p1);	/* copied */
	assert_memory_equal(a->aspath, p1, l1);
	/* an interned set interns to itself */
	assert_ptr_equal(rib_attrs_intern(a), a);
	/* a value whose flag is absent does not count */
	t2.med = 77;
	assert_ptr_equal(c = rib_attrs_intern(&t2), a);
	rib_attrs_unref(c);
	/* every field counts */
	t2.flags = RIB_A_MED;
	c = rib_attrs_intern(&t2);
	assert_ptr_not_equal(c, a);
	rib_attrs_unref(c);
	t2 = t1;
	t2.communities = comm;
	t2.communities_len = 4;
	c = rib_attrs_intern(&t2);
	assert_ptr_not_equal(c, a);
	assert_memory_equal(c->communities, comm, 4);
	rib_attrs_unref(c);
	t2 = t1;
	t2.origin = ORIGIN_INCOMPLETE;
	c = rib_attrs_intern(&t2);
	assert_ptr_not_equal(c, a);
	rib_attrs_unref(c);
	t2 = t1;
	addr_parse("192.0.2.2", &t2.nexthop);
	c = rib_attrs_intern(&t2);
	assert_ptr_not_equal(c, a);
	rib_attrs_unref(c);
	t2 = t1;
	t2.aspath_len = 6;
	c = rib_attrs_intern(&t2);
	assert_ptr_not_equal(c, a);
	rib_attrs_unref(c);
	assert_int_equal(rib_attrs_count(), base + 1);
	assert_ptr_equal(rib_attrs_ref(a), a);
	rib_attrs_unref(a);
	rib_attrs_unref(a);
	rib_attrs_unref(b);
	rib_attrs_unref(a);
	assert_int_equal(rib_attrs_count(), base);
}

static void
t_intern_many(void **state)
{
	const struct rib_attrs **v;
	struct rib_attrs t;
	size_t i, n = 20000;

	v = calloc(n, sizeof(*v));
	memset(&t, 0, sizeof(t));
	t.flags = RIB_A_MED;
	for (i = 0; i < n; i++) {
		t.med = (uint32_t)i;
		v[i] = rib_attrs_intern(&t);
	}
	assert_int_equal(rib_attrs_count(), n);
	for (i = 0; i < n; i++) {
		t.med = (uint32_t)i;
		assert_ptr_equal(rib_attrs_intern(&t), v[i]);
		rib_attrs_unref(v[i]);
	}
	for (i = 0; i < n; i++)
		rib_attrs_unref(v[i]);
	assert_int_equal(rib_attrs_count(), 0);
	free(v);
}

/* ---- the rib ---- */

struct counter {
	struct rib		*rib;
	int			 calls;
	int			 gone;
	int			 found;
	struct wr_prefix	 last;
	const struct rib_attrs	*best;
	struct rib_consumer	*remove_me;
};

static void
count_cb(void *arg, const struct rib_entry *e)
{
	struct counter *c = arg;

	c->calls++;
	c->last = e->prefix;
	c->best = e->paths != NULL ? e->paths->attrs : NULL;
	if (e->paths == NULL)
		c->gone++;
	/* read-only calls are allowed from a consumer */
	if (rib_lookup(c->rib, &e->prefix) == e)
		c->found++;
	if (c->remove_me != NULL) {
		rib_consumer_remove(c->rib, c->remove_me);
		c->remove_me = NULL;
	}
}

static void
t_update_withdraw(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a, b;
	struct rib_attrs t1, t2, t3;
	struct counter cnt = { .rib = rib };
	struct rib_consumer c = { .changed = count_cb, .arg = &cnt };
	struct wr_prefix pfx = *P("10.0.0.0/8"), unmasked = *P("10.1.2.3/32");
	const struct rib_entry *e;
	uint8_t p1[16], p2[32], p3[32];
	size_t l1, l2;

	rib_source_init(&a, RIB_SRC_BGP, "a");
	rib_source_init(&b, RIB_SRC_BGP, "b");
	addr_parse("192.0.2.1", &a.addr);
	addr_parse("192.0.2.2", &b.addr);
	rib_consumer_add(rib, &c);
	l1 = mkpath(p1, AS_SEQUENCE, 1, 1u, 0);
	l2 = mkpath(p2, AS_SEQUENCE, 3, 1u, 2u, 3u, 0);
	mkattrs(&t1, p1, l1, "192.0.2.1");
	mkattrs(&t2, p2, l2, "192.0.2.2");
	mkattrs(&t3, p3, mkpath(p3, AS_SEQUENCE, 4, 1u, 2u, 3u, 4u, 0),
	    "192.0.2.1");

	assert_int_equal(rib_update(rib, &a, &pfx, &t1), 1);
	assert_int_equal(cnt.calls, 1);
	assert_int_equal(cnt.found, 1);
	assert_int_equal(rib_update(rib, &a, &pfx, &t1), 0);	/* same */
	assert_int_equal(cnt.calls, 1);
	/* a worse path from b changes nothing visible */
	assert_int_equal(rib_update(rib, &b, &pfx, &t2), 0);
	assert_int_equal(cnt.calls, 1);
	assert_int_equal(rib_prefix_count(rib), 1);
	assert_int_equal(rib_path_count(rib), 2);
	e = rib_lookup(rib, &pfx);
	assert_non_null(e);
	assert_ptr_equal(rib_entry_best(e)->src, &a);
	assert_ptr_equal(rib_entry_path(e, &b)->src, &b);
	assert_ptr_equal(rib_entry_path(e, &b)->entry, e);
	/* a replaces its path by a worse one: b is now best */
	assert_int_equal(rib_update(rib, &a, &pfx, &t3), 1);
	assert_ptr_equal(rib_entry_best(e)->src, &b);
	assert_int_equal(cnt.calls, 2);
	assert_int_equal(rib_path_count(rib), 2);
	assert_int_equal(a.npaths, 1);
	/* and back: best is a again, attrs changed */
	assert_int_equal(rib_update(rib, &a, &pfx, &t1), 1);
	assert_int_equal(cnt.calls, 3);
	/* withdraw of the non-best: no notification */
	assert_int_equal(rib_withdraw(rib, &b, &pfx), 0);
	assert_int_equal(cnt.calls, 3);
	assert_int_equal(rib_withdraw(rib, &b, &pfx), 0);	/* not there */
	assert_int_equal(rib_withdraw(rib, &b, &unmasked), 0);
	/* last path: notified with paths NULL, then freed */
	assert_int_equal(rib_withdraw(rib, &a, &pfx), 1);
	assert_int_equal(cnt.calls, 4);
	assert_int_equal(cnt.gone, 1);
	assert_null(cnt.best);
	assert_null(rib_lookup(rib, &pfx));
	assert_int_equal(rib_prefix_count(rib), 0);
	assert_int_equal(rib_path_count(rib), 0);
	/* host bits are ignored */
	assert_int_equal(rib_update(rib, &a, &unmasked, &t1), 1);
	assert_non_null(rib_lookup(rib, P("10.1.2.3/32")));
	assert_int_equal(rib_withdraw(rib, &a, &unmasked), 1);
	rib_consumer_remove(rib, &c);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

/* Same source, same attribute content from another buffer: no change. */
static void
t_update_same_content(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a;
	struct rib_attrs t1, t2;
	uint8_t p1[16], p2[16];
	struct wr_prefix pfx = *P("2001:db8::/32");

	rib_source_init(&a, RIB_SRC_BGP, "a");
	mkattrs(&t1, p1, mkpath(p1, AS_SEQUENCE, 1, 5u, 0), "2001:db8::1");
	mkattrs(&t2, p2, mkpath(p2, AS_SEQUENCE, 1, 5u, 0), "2001:db8::1");
	assert_int_equal(rib_update(rib, &a, &pfx, &t1), 1);
	assert_int_equal(rib_update(rib, &a, &pfx, &t2), 0);
	assert_int_equal(rib_attrs_count(), 1);
	t2.flags = RIB_A_MED;
	t2.med = 1;
	assert_int_equal(rib_update(rib, &a, &pfx, &t2), 1);
	assert_int_equal(rib_attrs_count(), 1);	/* the old one went */
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
	assert_null(a.paths);
}

/* RFC 7911: one source, two path ids, two paths; withdrawn one by one. */
static void
t_path_ids(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a;
	struct rib_attrs t1, t2;
	uint8_t p1[16], p2[16];
	struct wr_prefix pfx = *P("10.244.9.0/24");
	const struct rib_entry *e;

	rib_source_init(&a, RIB_SRC_BGP, "a");
	mkattrs(&t1, p1, mkpath(p1, AS_SEQUENCE, 1, 5u, 0), "198.18.0.5");
	mkattrs(&t2, p2, mkpath(p2, AS_SEQUENCE, 2, 5u, 6u, 0), "198.18.0.6");
	assert_int_equal(rib_update_id(rib, &a, &pfx, 1, &t1), 1);
	assert_int_equal(rib_update_id(rib, &a, &pfx, 2, &t2), 0);
	assert_int_equal(rib_path_count(rib), 2);
	assert_int_equal(a.npaths, 2);
	e = rib_lookup(rib, &pfx);
	assert_int_equal(e->paths->path_id, 1);	/* the shorter path */
	assert_int_equal(e->paths->next->path_id, 2);
	/* an unknown id withdraws nothing; id 1 leaves id 2 as the best */
	assert_int_equal(rib_withdraw_id(rib, &a, &pfx, 3), 0);
	assert_int_equal(rib_withdraw(rib, &a, &pfx), 0);
	assert_int_equal(rib_withdraw_id(rib, &a, &pfx, 1), 1);
	e = rib_lookup(rib, &pfx);
	assert_int_equal(e->paths->path_id, 2);
	assert_null(e->paths->next);
	assert_int_equal(rib_flush_source(rib, &a), 1);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

static void
t_flush(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a, b;
	struct rib_attrs t1, t2;
	struct counter cnt = { .rib = rib };
	struct rib_consumer c = { .changed = count_cb, .arg = &cnt };
	struct wr_prefix pfx;
	uint8_t p1[16], p2[16];
	uint32_t i;

	rib_source_init(&a, RIB_SRC_BGP, "a");
	rib_source_init(&b, RIB_SRC_BGP, "b");
	mkattrs(&t1, p1, mkpath(p1, AS_SEQUENCE, 1, 1u, 0), "192.0.2.1");
	mkattrs(&t2, p2, mkpath(p2, AS_SEQUENCE, 2, 2u, 3u, 0), "192.0.2.2");
	memset(&pfx, 0, sizeof(pfx));
	for (i = 0; i < 1000; i++) {
		addr_from_v4(&pfx.addr, 0x0a000000u | i << 8);
		pfx.len = 24;
		assert_int_equal(rib_update(rib, &a, &pfx, &t1), 1);
		if (i % 2 == 0)
			assert_int_equal(rib_update(rib, &b, &pfx, &t2), 0);
	}
	assert_int_equal(a.npaths, 1000);
	assert_int_equal(b.npaths, 500);
	assert_int_equal(rib_attrs_count(), 2);
	rib_consumer_add(rib, &c);
	/* session down: every prefix of a changes best (500 to b, 500 gone) */
	assert_int_equal(rib_flush_source(rib, &a), 1000);
	assert_int_equal(cnt.calls, 1000);
	assert_int_equal(cnt.gone, 500);
	assert_int_equal(a.npaths, 0);
	assert_null(a.paths);
	assert_int_equal(rib_prefix_count(rib), 500);
	assert_int_equal(rib_path_count(rib), 500);
	assert_int_equal(rib_attrs_count(), 1);
	assert_int_equal(rib_flush_source(rib, &a), 0);
	/* flushing b, a non-best source elsewhere, empties it all */
	assert_int_equal(rib_flush_source(rib, &b), 500);
	assert_int_equal(cnt.gone, 1000);
	assert_int_equal(rib_prefix_count(rib), 0);
	assert_int_equal(rib_attrs_count(), 0);
	rib_free(rib);
}

/* RFC 4724 §4.2: a restarting neighbor's paths kept stale, then swept. */
static void
t_stale(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a, b;
	struct rib_attrs t1, t2;
	struct counter cnt = { .rib = rib };
	struct rib_consumer c = { .changed = count_cb, .arg = &cnt,
	    .every_change = 1 };
	uint8_t p1[16], p2[16];

	rib_source_init(&a, RIB_SRC_BGP, "a");
	rib_source_init(&b, RIB_SRC_BGP, "b");
	mkattrs(&t1, p1, mkpath(p1, AS_SEQUENCE, 1, 1u, 0), "192.0.2.1");
	mkattrs(&t2, p2, mkpath(p2, AS_SEQUENCE, 2, 1u, 2u, 0), "192.0.2.1");
	assert_int_equal(rib_update(rib, &a, P("10.0.1.0/24"), &t1), 1);
	assert_int_equal(rib_update(rib, &a, P("10.0.2.0/24"), &t1), 1);
	assert_int_equal(rib_update(rib, &a, P("10.0.3.0/24"), &t1), 1);
	assert_int_equal(rib_update(rib, &a, P("fd00::/64"), &t1), 1);
	assert_int_equal(rib_update(rib, &b, P("10.0.3.0/24"), &t2), 0);
	rib_consumer_add(rib, &c);
	/* marking tells nobody and keeps every path */
	assert_int_equal(rib_source_mark_stale(rib, &a, AF_INET), 3);
	assert_int_equal(rib_source_mark_stale(rib, &a, AF_INET), 0);
	assert_int_equal(a.nstale, 3);
	assert_int_equal(cnt.calls, 0);
	assert_int_equal(rib_path_count(rib), 5);
	assert_true(rib_entry_best(rib_lookup(rib, P("10.0.1.0/24")))->stale);
	assert_false(rib_entry_best(rib_lookup(rib, P("fd00::/64")))->stale);
	/* re-announced as it was: unmarked, nobody told */
	assert_int_equal(rib_update(rib, &a, P("10.0.1.0/24"), &t1), 0);
	assert_int_equal(cnt.calls, 0);
	assert_int_equal(a.nstale, 2);
	assert_false(rib_entry_best(rib_lookup(rib, P("10.0.1.0/24")))->stale);
	/* re-announced with other attributes: unmarked, consumers told */
	assert_int_equal(rib_update(rib, &a, P("10.0.2.0/24"), &t2), 1);
	assert_int_equal(cnt.calls, 1);
	assert_int_equal(a.nstale, 1);
	/* a withdrawal of a stale path unmarks it too */
	assert_int_equal(rib_source_mark_stale(rib, &a, 0), 3);
	assert_int_equal(a.nstale, 4);
	assert_int_equal(rib_withdraw(rib, &a, P("fd00::/64")), 1);
	assert_int_equal(a.nstale, 3);
	assert_int_equal(rib_update(rib, &a, P("10.0.1.0/24"), &t1), 0);
	assert_int_equal(rib_update(rib, &a, P("10.0.2.0/24"), &t2), 0);
	/* the sweep: only 10.0.3.0/24 is left stale; b's path takes over */
	cnt.calls = cnt.gone = 0;
	assert_int_equal(rib_source_sweep_stale(rib, &a, AF_INET6), 0);
	assert_int_equal(rib_source_sweep_stale(rib, &a, 0), 1);
	assert_int_equal(cnt.calls, 1);
	assert_int_equal(cnt.gone, 0);
	assert_int_equal(a.nstale, 0);
	assert_int_equal(a.npaths, 2);
	assert_ptr_equal(rib_entry_best(rib_lookup(rib, P("10.0.3.0/24")))->src,
	    &b);
	assert_int_equal(rib_source_sweep_stale(rib, &a, 0), 0);
	/* a flush of stale paths leaves the count right */
	assert_int_equal(rib_source_mark_stale(rib, &a, 0), 2);
	assert_int_equal(rib_flush_source(rib, &a), 2);
	assert_int_equal(a.nstale, 0);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

static void
t_consumers(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a;
	struct rib_attrs t;
	struct counter c1 = { .rib = rib }, c2 = { .rib = rib };
	struct rib_consumer k1 = { .changed = count_cb, .arg = &c1 };
	struct rib_consumer k2 = { .changed = count_cb, .arg = &c2 };
	uint8_t p[16];

	rib_source_init(&a, RIB_SRC_KERNEL, "kernel");
	mkattrs(&t, p, 0, NULL);
	rib_consumer_add(rib, &k1);
	rib_consumer_add(rib, &k2);	/* k2 is called first, then k1 */
	assert_int_equal(rib_update(rib, &a, P("10.0.0.0/8"), &t), 1);
	assert_int_equal(c1.calls, 1);
	assert_int_equal(c2.calls, 1);
	/* k2 removes k1 (next in line) during the callback: k1 not called */
	c2.remove_me = &k1;
	assert_int_equal(rib_update(rib, &a, P("10.0.0.0/9"), &t), 1);
	assert_int_equal(c2.calls, 2);
	assert_int_equal(c1.calls, 1);
	/* k2 removes itself */
	c2.remove_me = &k2;
	assert_int_equal(rib_update(rib, &a, P("10.0.0.0/10"), &t), 1);
	assert_int_equal(c2.calls, 3);
	assert_int_equal(rib_update(rib, &a, P("10.0.0.0/11"), &t), 1);
	assert_int_equal(c2.calls, 3);
	rib_consumer_add(rib, &k1);
	assert_int_equal(rib_withdraw(rib, &a, P("10.0.0.0/8")), 1);
	assert_int_equal(c1.calls, 2);
	assert_int_equal(c1.gone, 1);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

struct walkrec {
	char	 s[8][WR_PFXSTRLEN];
	int	 n;
};

static int
walk_cb(const struct rib_entry *e, void *arg)
{
	struct walkrec *w = arg;

	prefix_ntop(&e->prefix, w->s[w->n++], WR_PFXSTRLEN);
	return 0;
}

static void
t_lookup_match_walk(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source k;
	struct rib_attrs t;
	struct walkrec w = { .n = 0 };
	struct wr_addr addr;
	uint8_t p[4];
	const char *pf[] = { "2001:db8::/32", "10.1.0.0/16", "0.0.0.0/0",
		"10.0.0.0/8", "::/0" };
	int i;

	rib_source_init(&k, RIB_SRC_KERNEL, "kernel");
	mkattrs(&t, p, 0, NULL);
	for (i = 0; i < 5; i++)
		assert_int_equal(rib_update(rib, &k, P(pf[i]), &t), 1);
	addr_parse("10.1.2.3", &addr);
	assert_int_equal(rib_match(rib, &addr)->prefix.len, 16);
	addr_parse("10.2.2.3", &addr);
	assert_int_equal(rib_match(rib, &addr)->prefix.len, 8);
	addr_parse("11.2.2.3", &addr);
	assert_int_equal(rib_match(rib, &addr)->prefix.len, 0);
	addr_parse("2001:db8::5", &addr);
	assert_int_equal(rib_match(rib, &addr)->prefix.len, 32);
	assert_null(rib_lookup(rib, P("10.0.0.0/9")));
	assert_int_equal(rib_walk(rib, walk_cb, &w), 0);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.s[0], "0.0.0.0/0");
	assert_string_equal(w.s[1], "10.0.0.0/8");
	assert_string_equal(w.s[2], "10.1.0.0/16");
	assert_string_equal(w.s[3], "::/0");
	assert_string_equal(w.s[4], "2001:db8::/32");
	assert_int_equal(rib_attrs_count(), 1);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

/* every_change consumers also hear of non-best paths (the ECMP set) */
static void
t_every_change(void **state)
{
	struct rib *rib = rib_new();
	struct rib_source a, b;
	struct rib_attrs t1, t2, t3;
	struct counter best = { .rib = rib }, all = { .rib = rib };
	struct rib_consumer cb = { .changed = count_cb, .arg = &best };
	struct rib_consumer ca = { .changed = count_cb, .arg = &all,
	    .every_change = 1 };
	struct wr_prefix pfx = *P("10.0.0.0/8");
	uint8_t p1[16], p2[32], p3[32];

	rib_source_init(&a, RIB_SRC_BGP, "a");
	rib_source_init(&b, RIB_SRC_BGP, "b");
	addr_parse("192.0.2.1", &a.addr);
	addr_parse("192.0.2.2", &b.addr);
	rib_consumer_add(rib, &cb);
	rib_consumer_add(rib, &ca);
	mkattrs(&t1, p1, mkpath(p1, AS_SEQUENCE, 1, 1u, 0), "192.0.2.1");
	mkattrs(&t2, p2, mkpath(p2, AS_SEQUENCE, 1, 2u, 0), "192.0.2.2");
	mkattrs(&t3, p3, mkpath(p3, AS_SEQUENCE, 1, 3u, 0), "192.0.2.2");
	assert_int_equal(rib_update(rib, &a, &pfx, &t1), 1);
	assert_int_equal(best.calls, 1);
	assert_int_equal(all.calls, 1);
	/* b ties except for the address: best stays a, the set grows */
	assert_int_equal(rib_update(rib, &b, &pfx, &t2), 0);
	assert_int_equal(best.calls, 1);
	assert_int_equal(all.calls, 2);
	/* b changes its attributes, still not best */
	assert_int_equal(rib_update(rib, &b, &pfx, &t3), 0);
	assert_int_equal(best.calls, 1);
	assert_int_equal(all.calls, 3);
	/* the same again is no change at all */
	assert_int_equal(rib_update(rib, &b, &pfx, &t3), 0);
	assert_int_equal(all.calls, 3);
	assert_int_equal(rib_withdraw(rib, &b, &pfx), 0);
	assert_int_equal(best.calls, 1);
	assert_int_equal(all.calls, 4);
	rib_consumer_remove(rib, &cb);
	rib_consumer_remove(rib, &ca);
	rib_free(rib);
	assert_int_equal(rib_attrs_count(), 0);
}

/* rib_attrs_id(): small, distinct, never 0, reused once a set is gone. */
static void
t_attrs_id(void **state)
{
	struct rib_attrs t;
	const struct rib_attrs *a, *b, *c;
	uint32_t ida, idb;

	(void)state;
	assert_int_equal(rib_attrs_id(NULL), 0);
	assert_null(rib_attrs_byid(0));
	mkattrs(&t, NULL, 0, "192.0.2.1");
	a = rib_attrs_intern(&t);
	mkattrs(&t, NULL, 0, "192.0.2.2");
	b = rib_attrs_intern(&t);
	ida = rib_attrs_id(a);
	idb = rib_attrs_id(b);
	assert_true(ida != 0 && idb != 0 && ida != idb);
	assert_ptr_equal(rib_attrs_byid(ida), a);
	assert_ptr_equal(rib_attrs_byid(idb), b);
	rib_attrs_unref(a);
	assert_ptr_equal(rib_attrs_byid(idb), b);
	mkattrs(&t, NULL, 0, "192.0.2.3");
	c = rib_attrs_intern(&t);
	assert_int_equal(rib_attrs_id(c), ida);
	assert_ptr_equal(rib_attrs_byid(ida), c);
	rib_attrs_unref(b);
	rib_attrs_unref(c);
	assert_int_equal(rib_attrs_count(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_aspath),
		cmocka_unit_test(t_aspath_full_segment),
		cmocka_unit_test(t_intern),
		cmocka_unit_test(t_intern_many),
		cmocka_unit_test(t_update_withdraw),
		cmocka_unit_test(t_update_same_content),
		cmocka_unit_test(t_path_ids),
		cmocka_unit_test(t_flush),
		cmocka_unit_test(t_stale),
		cmocka_unit_test(t_consumers),
		cmocka_unit_test(t_every_change),
		cmocka_unit_test(t_lookup_match_walk),
		cmocka_unit_test(t_attrs_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
