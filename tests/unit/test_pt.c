/* tests/unit/test_pt.c: the prefix table (rib/pt.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt.h"

/* The new entry of s, which must not be in the table yet. */
static struct rib_entry *
mk(struct pt *pt, const char *s)
{
	struct wr_prefix p;
	struct rib_entry *e;
	int created;

	assert_int_equal(prefix_parse(s, &p), 0);
	e = pt_get(pt, &p, &created);
	assert_non_null(e);
	assert_true(created);
	assert_int_equal(prefix_cmp(&e->prefix, &p), 0);
	assert_null(e->paths);
	return e;
}

static const struct rib_entry *
lookup(struct pt *pt, const char *s)
{
	struct wr_prefix p;

	assert_int_equal(prefix_parse(s, &p), 0);
	return pt_lookup(pt, &p);
}

static const struct rib_entry *
match(struct pt *pt, const char *s)
{
	struct wr_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return pt_match(pt, &a);
}

static void
free_entry(struct rib_entry *e, void *arg)
{
	(*(size_t *)arg)++;
	(void)e;
}

static void
test_basic(const char **pfx, size_t n, const char **missing, size_t nmiss)
{
	struct pt *pt = pt_new();
	struct rib_entry *e[16];
	struct wr_prefix dup;
	size_t i, freed = 0;
	int created;

	assert_non_null(pt);
	for (i = 0; i < n; i++)
		e[i] = mk(pt, pfx[i]);
	assert_int_equal(pt_count(pt), n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(lookup(pt, pfx[i]), e[i]);
	for (i = 0; i < nmiss; i++)
		assert_null(lookup(pt, missing[i]));
	for (i = 0; i < n; i++) {
		assert_int_equal(prefix_parse(pfx[i], &dup), 0);
		assert_ptr_equal(pt_get(pt, &dup, &created), e[i]);
		assert_false(created);
	}
	assert_int_equal(pt_count(pt), n);
	for (i = 0; i < n; i += 2) {
		pt_remove(pt, e[i]);
		assert_null(lookup(pt, pfx[i]));
	}
	for (i = 1; i < n; i += 2)
		assert_ptr_equal(lookup(pt, pfx[i]), e[i]);
	pt_free(pt, free_entry, &freed);
	assert_int_equal(freed, n / 2);
}

static void
t_basic_v4(void **state)
{
	const char *p[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
		"0.0.0.0/0", "10.1.2.3/32", "192.168.0.0/16", "10.128.0.0/9",
		"255.255.255.255/32", "0.0.0.0/32", "10.0.0.0/9" };
	const char *miss[] = { "10.0.0.0/10", "10.1.0.0/24", "11.0.0.0/8",
		"10.1.2.2/32", "128.0.0.0/1", "::/0" };

	test_basic(p, 10, miss, 6);
}

static void
t_basic_v6(void **state)
{
	const char *p[] = { "::/0", "2001:db8::/32", "2001:db8::1/128",
		"2001:db8:1::/48", "fe80::/10", "::/128",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "2001:db8::/33" };
	const char *miss[] = { "2001:db8::/31", "2001:db8::2/128",
		"2001:db8:2::/48", "0.0.0.0/0" };

	test_basic(p, 8, miss, 4);
}

static void
t_lpm(void **state)
{
	const char *p[] = { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16",
		"10.1.2.0/24", "10.1.2.3/32", "2001:db8::/32",
		"2001:db8::1/128" };
	struct rib_entry *e[7];
	struct pt *pt = pt_new();
	size_t i, freed = 0;

	for (i = 0; i < 7; i++)
		e[i] = mk(pt, p[i]);
	assert_ptr_equal(match(pt, "10.1.2.3"), e[4]);
	assert_ptr_equal(match(pt, "10.1.2.4"), e[3]);
	assert_ptr_equal(match(pt, "10.1.3.4"), e[2]);
	assert_ptr_equal(match(pt, "10.2.3.4"), e[1]);
	assert_ptr_equal(match(pt, "11.2.3.4"), e[0]);
	assert_ptr_equal(match(pt, "2001:db8::1"), e[6]);
	assert_ptr_equal(match(pt, "2001:db8::2"), e[5]);
	assert_null(match(pt, "2001:db9::1"));
	pt_remove(pt, e[0]);
	assert_null(match(pt, "11.2.3.4"));
	pt_remove(pt, e[3]);
	assert_ptr_equal(match(pt, "10.1.2.4"), e[2]);
	assert_ptr_equal(match(pt, "10.1.2.3"), e[4]);
	pt_free(pt, free_entry, &freed);
	assert_int_equal(freed, 5);
}

struct collect {
	const struct rib_entry	**v;
	size_t			  n;
	size_t			  stop;
};

static int
collect_cb(const struct rib_entry *e, void *arg)
{
	struct collect *c = arg;

	c->v[c->n++] = e;
	return c->n == c->stop ? 42 : 0;
}

static void
t_walk_order(void **state)
{
	const char *p[] = { "2001:db8::/32", "10.1.0.0/16", "::/0",
		"10.0.0.0/8", "0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/9",
		"192.168.1.0/24", "2001:db8::/48", "1.2.3.4/32", "fe80::/10",
		"10.0.0.0/32" };
	const char *want[] = { "0.0.0.0/0", "1.2.3.4/32", "10.0.0.0/8",
		"10.0.0.0/9", "10.0.0.0/16", "10.0.0.0/32", "10.1.0.0/16",
		"192.168.1.0/24", "::/0", "2001:db8::/32", "2001:db8::/48",
		"fe80::/10" };
	const struct rib_entry *v[12];
	struct collect c = { v, 0, 0 };
	struct pt *pt = pt_new();
	char buf[WR_PFXSTRLEN];
	size_t i, freed = 0;

	for (i = 0; i < 12; i++)
		mk(pt, p[i]);
	assert_int_equal(pt_walk(pt, collect_cb, &c), 0);
	assert_int_equal(c.n, 12);
	for (i = 0; i < 12; i++)
		assert_string_equal(prefix_ntop(&v[i]->prefix, buf,
		    sizeof(buf)), want[i]);
	c.n = 0;
	c.stop = 3;
	assert_int_equal(pt_walk(pt, collect_cb, &c), 42);
	assert_int_equal(c.n, 3);
	pt_free(pt, free_entry, &freed);
	assert_int_equal(freed, 12);
}

/* xorshift64*: reproducible pseudo-random prefixes */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Clustered prefixes, so that they nest and share long common parts. */
static void
rand_prefix(struct wr_prefix *p)
{
	uint64_t r = rng(), s = rng();
	int v6 = (r & 7) == 0;

	memset(p, 0, sizeof(*p));
	p->addr.af = v6 ? AF_INET6 : AF_INET;
	memcpy(p->addr.b, &s, 8);
	s = rng();
	memcpy(p->addr.b + 8, &s, 8);
	p->addr.b[0] = (r >> 8) & 1 ? 10 : p->addr.b[0] & 0x0f;
	if (v6)
		p->len = (r >> 16) % 129;
	else
		p->len = (r >> 16) % 33 < 8 ? (r >> 24) % 33 : 16 + (r >> 32) % 17;
	prefix_mask(p);
}

static int
pfx_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

struct ref {
	struct wr_prefix	*v;
	size_t			 n;
};

static int
ref_has(const struct ref *ref, const struct wr_prefix *p)
{
	return bsearch(p, ref->v, ref->n, sizeof(*p), pfx_qcmp) != NULL;
}

/* Longest match by brute force over the lengths, against the sorted array. */
static const struct wr_prefix *
ref_match(const struct ref *ref, const struct wr_addr *a)
{
	struct wr_prefix q;
	int len;

	for (len = (int)addr_bits(a->af); len >= 0; len--) {
		q.addr = *a;
		q.len = (uint8_t)len;
		prefix_mask(&q);
		if (ref_has(ref, &q))
			return bsearch(&q, ref->v, ref->n, sizeof(q), pfx_qcmp);
	}
	return NULL;
}

static void
check_against(struct pt *pt, const struct ref *ref)
{
	const struct rib_entry **v;
	struct collect c;
	const struct wr_prefix *want;
	const struct rib_entry *got;
	struct wr_prefix p;
	size_t i;

	assert_int_equal(pt_count(pt), ref->n);
	v = calloc(ref->n + 1, sizeof(*v));
	c.v = v;
	c.n = 0;
	c.stop = 0;
	assert_int_equal(pt_walk(pt, collect_cb, &c), 0);
	assert_int_equal(c.n, ref->n);
	for (i = 0; i < ref->n; i++) {
		assert_int_equal(prefix_cmp(&v[i]->prefix, &ref->v[i]), 0);
		assert_ptr_equal(pt_lookup(pt, &ref->v[i]), v[i]);
	}
	free(v);
	for (i = 0; i < 5000; i++) {
		rand_prefix(&p);
		want = ref_match(ref, &p.addr);
		got = pt_match(pt, &p.addr);
		if (want == NULL)
			assert_null(got);
		else
			assert_int_equal(prefix_cmp(&got->prefix, want), 0);
		got = pt_lookup(pt, &p);
		assert_int_equal(got != NULL, ref_has(ref, &p));
	}
}

static void
t_random(void **state)
{
	const size_t N = 100000;
	struct rib_entry **ents = calloc(N, sizeof(*ents));
	struct ref ref = { calloc(N, sizeof(struct wr_prefix)), 0 };
	struct pt *pt = pt_new();
	size_t i, j, n = 0, freed = 0;

	for (i = 0; i < N; i++) {
		struct rib_entry *e;
		struct wr_prefix p;
		int created;

		rand_prefix(&p);
		e = pt_get(pt, &p, &created);
		assert_non_null(e);
		assert_int_equal(prefix_cmp(&e->prefix, &p), 0);
		if (!created) {
			assert_ptr_equal(pt_lookup(pt, &p), e);
			continue;
		}
		ents[n++] = e;
		ref.v[ref.n++] = e->prefix;
	}
	qsort(ref.v, ref.n, sizeof(*ref.v), pfx_qcmp);
	check_against(pt, &ref);
	/* remove every other one (in insertion order), then compare again */
	for (i = 0, j = 0; i < n; i++) {
		if (i % 2 == 0)
			pt_remove(pt, ents[i]);
		else
			ents[j++] = ents[i];
	}
	n = j;
	for (i = 0; i < n; i++)
		ref.v[i] = ents[i]->prefix;
	ref.n = n;
	qsort(ref.v, ref.n, sizeof(*ref.v), pfx_qcmp);
	check_against(pt, &ref);
	for (i = 0; i < n; i++)
		pt_remove(pt, ents[i]);
	assert_int_equal(pt_count(pt), 0);
	pt_free(pt, free_entry, &freed);
	assert_int_equal(freed, 0);
	free(ents);
	free(ref.v);
}

/*
 * The memory budget of rib/pt.c: a prefix node is its entry plus two
 * 32-bit links (40 bytes), a glue node 12.  A table of distinct /48s (the
 * ingest benchmark's shape) must stay well under 64 bytes a prefix,
 * the 256 KB table of subtrie roots included.
 */
static void
t_mem(void **state)
{
	const size_t N = 100000;
	struct pt *pt = pt_new();
	struct wr_prefix p;
	size_t i, n, freed = 0;
	int created;

	(void)state;
	assert_int_equal(sizeof(struct rib_entry), 32);
	for (i = 0; i < N; i++) {
		uint64_t r = rng();

		memset(&p, 0, sizeof(p));
		p.addr.af = AF_INET6;
		p.len = 48;
		p.addr.b[0] = 0xfd;
		p.addr.b[1] = 0x10 + (uint8_t)(i % 10);
		memcpy(p.addr.b + 2, &r, 4);
		if (pt_get(pt, &p, &created) == NULL)
			fail();
	}
	n = pt_count(pt);
	assert_true(n > N - 10);
	assert_true(pt_mem(pt) < 64 * n);
	pt_free(pt, free_entry, &freed);
	assert_int_equal(freed, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_basic_v4),
		cmocka_unit_test(t_basic_v6),
		cmocka_unit_test(t_lpm),
		cmocka_unit_test(t_walk_order),
		cmocka_unit_test(t_random),
		cmocka_unit_test(t_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
