/* tests/unit/test_decide.c: the decision process (rib/decide.c), one test
 * per step of RFC 4271 §9.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rib.h"

struct fix {
	struct rib		*rib;
	struct wr_prefix	 pfx;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->rib = rib_new();
	prefix_parse("198.51.100.0/24", &f->pfx);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	rib_free(f->rib);
	free(f);
	assert_int_equal(rib_attrs_count(), 0);
	return 0;
}

/*
 * The tests' sources are static: they must outlive the rib, which
 * teardown frees (rib_free() empties every source that has paths).
 */
static void
src(struct rib_source *s, enum rib_src_type type, int ebgp, uint32_t id,
    const char *addr)
{
	rib_source_init(s, type, addr);
	s->ebgp = ebgp;
	s->bgp_id = id;
	if (addr != NULL)
		assert_int_equal(addr_parse(addr, &s->addr), 0);
}

/* An attribute template; path is a string of ASes, "{...}" for an AS_SET,
 * "(...)" for a confederation sequence: "1 {2 3}". */
struct tmpl {
	struct rib_attrs	 a;
	uint8_t			 path[128];
};

static size_t
parse_path(const char *s, uint8_t *path)
{
	size_t len = 0, seg = SIZE_MAX;
	uint32_t as;
	char *end;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
		} else if (*s == '{' || *s == '(') {
			seg = len;
			path[len++] = *s == '{' ? AS_SET : AS_CONFED_SEQUENCE;
			path[len++] = 0;
			s++;
		} else if (*s == '}' || *s == ')') {
			seg = SIZE_MAX;
			s++;
		} else {
			as = (uint32_t)strtoul(s, &end, 10);
			s = end;
			if (seg == SIZE_MAX || (path[seg] == AS_SEQUENCE &&
			    seg + 2 + path[seg + 1] * 4 != len)) {
				seg = len;
				path[len++] = AS_SEQUENCE;
				path[len++] = 0;
			}
			path[seg + 1]++;
			path[len++] = as >> 24;
			path[len++] = as >> 16;
			path[len++] = as >> 8;
			path[len++] = as;
		}
	}
	return len;
}

static struct rib_attrs *
T(struct tmpl *t, const char *path, uint8_t origin)
{
	memset(t, 0, sizeof(*t));
	t->a.origin = origin;
	t->a.aspath = t->path;
	t->a.aspath_len = (uint16_t)parse_path(path, t->path);
	assert_true(aspath_valid(t->path, t->a.aspath_len));
	addr_parse("192.0.2.254", &t->a.nexthop);
	return &t->a;
}

static struct rib_attrs *
with_med(struct rib_attrs *a, uint32_t med)
{
	a->flags |= RIB_A_MED;
	a->med = med;
	return a;
}

static struct rib_attrs *
with_lp(struct rib_attrs *a, uint32_t lp)
{
	a->flags |= RIB_A_LOCAL_PREF;
	a->local_pref = lp;
	return a;
}

static const struct rib_path *
add(struct fix *f, struct rib_source *s, const struct rib_attrs *a)
{
	assert_int_not_equal(rib_update(f->rib, s, &f->pfx, a), -1);
	return rib_entry_path(rib_lookup(f->rib, &f->pfx), s);
}

static const struct rib_source *
best(struct fix *f)
{
	return rib_entry_best(rib_lookup(f->rib, &f->pfx))->src;
}

/* 0. local (kernel, then static) over anything from BGP */
static void
t_local_over_bgp(void **state)
{
	struct fix *f = *state;
	static struct rib_source k, st, b;
	struct tmpl t1, t2, t3;
	const struct rib_path *pk, *ps, *pb;

	src(&k, RIB_SRC_KERNEL, 0, 0, NULL);
	src(&st, RIB_SRC_STATIC, 0, 0, NULL);
	src(&b, RIB_SRC_BGP, 1, 1, "192.0.2.1");
	pb = add(f, &b, with_lp(T(&t1, "", ORIGIN_IGP), 1000));
	ps = add(f, &st, T(&t2, "1 2 3", ORIGIN_INCOMPLETE));
	assert_ptr_equal(best(f), &st);
	pk = add(f, &k, T(&t3, "1 2 3 4", ORIGIN_INCOMPLETE));
	assert_ptr_equal(best(f), &k);
	assert_true(rib_path_cmp(pk, ps) < 0);
	assert_true(rib_path_cmp(ps, pb) < 0);
	assert_true(rib_path_cmp(pb, pk) > 0);
	rib_withdraw(f->rib, &k, &f->pfx);
	assert_ptr_equal(best(f), &st);
}

/* 1. §9.1.1: highest LOCAL_PREF, a missing one counts 100 */
static void
t_local_pref(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b, c;
	struct tmpl t1, t2, t3;
	const struct rib_path *pa, *pb, *pc;

	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	src(&c, RIB_SRC_BGP, 0, 3, "10.0.0.3");
	/* a: LOCAL_PREF 50 but shorter path and lower id */
	pa = add(f, &a, with_lp(T(&t1, "1", ORIGIN_IGP), 50));
	/* b: eBGP, no LOCAL_PREF: 100 */
	pb = add(f, &b, T(&t2, "2 3 4", ORIGIN_INCOMPLETE));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	/* c: 200 beats the default */
	pc = add(f, &c, with_lp(T(&t3, "5 6 7 8", ORIGIN_INCOMPLETE), 200));
	assert_ptr_equal(best(f), &c);
	assert_true(rib_path_cmp(pc, pb) < 0);
	/* explicit 100 ties with the default: the path length decides */
	pc = add(f, &c, with_lp(T(&t3, "5 6", ORIGIN_INCOMPLETE), 100));
	assert_ptr_equal(best(f), &c);
	assert_true(rib_path_cmp(pc, pb) < 0);
}

/* 2. §9.1.2.2 a): shortest AS_PATH; an AS_SET counts one, confederation
 * segments nothing */
static void
t_aspath_length(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b, c;
	struct tmpl t1, t2, t3;
	const struct rib_path *pa, *pb, *pc;

	src(&a, RIB_SRC_BGP, 1, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	src(&c, RIB_SRC_BGP, 1, 3, "10.0.0.3");
	pa = add(f, &a, T(&t1, "1 2 3", ORIGIN_IGP));
	pb = add(f, &b, T(&t2, "4 5", ORIGIN_INCOMPLETE));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	/* "6 {7 8 9 10}" has length 2: ties with b, origin IGP wins */
	pc = add(f, &c, T(&t3, "6 {7 8 9 10}", ORIGIN_IGP));
	assert_int_equal(aspath_length(pc->attrs->aspath,
	    pc->attrs->aspath_len), 2);
	assert_ptr_equal(best(f), &c);
	assert_true(rib_path_cmp(pc, pb) < 0);
	assert_true(rib_path_cmp(pc, pa) < 0);
	/* confederation segments are free */
	pa = add(f, &a, T(&t1, "(65001 65002 65003) 1", ORIGIN_IGP));
	assert_ptr_equal(best(f), &a);
	assert_true(rib_path_cmp(pa, pc) < 0);
}

/* 3. §9.1.2.2 b): lowest ORIGIN */
static void
t_origin(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b, c;
	struct tmpl t1, t2, t3;
	const struct rib_path *pa, *pb, *pc;

	src(&a, RIB_SRC_BGP, 1, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	src(&c, RIB_SRC_BGP, 1, 3, "10.0.0.3");
	pa = add(f, &a, T(&t1, "1 2", ORIGIN_INCOMPLETE));
	pb = add(f, &b, T(&t2, "3 4", ORIGIN_EGP));
	assert_ptr_equal(best(f), &b);
	pc = add(f, &c, T(&t3, "5 6", ORIGIN_IGP));
	assert_ptr_equal(best(f), &c);
	assert_true(rib_path_cmp(pc, pb) < 0);
	assert_true(rib_path_cmp(pb, pa) < 0);
}

/* 4. §9.1.2.2 c): lowest MED between paths from the same neighbor AS */
static void
t_med_same_as(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 1, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	/* b has the higher id and address, but the lower MED */
	pa = add(f, &a, with_med(T(&t1, "100 1", ORIGIN_IGP), 20));
	pb = add(f, &b, with_med(T(&t2, "100 2", ORIGIN_IGP), 10));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
}

/* 4. MEDs of different neighbor ASes are not compared */
static void
t_med_different_as(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 1, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	pa = add(f, &a, with_med(T(&t1, "100 1", ORIGIN_IGP), 20));
	pb = add(f, &b, with_med(T(&t2, "200 2", ORIGIN_IGP), 10));
	/* the BGP identifier decides */
	assert_ptr_equal(best(f), &a);
	assert_true(rib_path_cmp(pa, pb) < 0);
}

/* 4. a missing MED is 0, the best value */
static void
t_med_missing(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 1, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	pa = add(f, &a, with_med(T(&t1, "100 1", ORIGIN_IGP), 5));
	pb = add(f, &b, T(&t2, "100 2", ORIGIN_IGP));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	/* an explicit 0 ties with a missing one: the id decides */
	pa = add(f, &a, with_med(T(&t1, "100 1", ORIGIN_IGP), 0));
	assert_ptr_equal(best(f), &a);
}

/* 4. two iBGP paths with empty AS_PATHs come from the same (local) AS */
static void
t_med_empty_path(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 0, 2, "10.0.0.2");
	pa = add(f, &a, with_med(T(&t1, "", ORIGIN_IGP), 50));
	pb = add(f, &b, with_med(T(&t2, "", ORIGIN_IGP), 40));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
}

/*
 * 4. MED is not transitive.  p1 and p2 come from AS 1, p3 from AS 2:
 *   p1 beats p2 (MED), p2 beats p3 (eBGP), p3 beats p1 (BGP id): a cycle,
 * so the outcome of a pairwise scan depends on arrival order.  The RFC's
 * elimination removes p2 at the MED step, then p3 wins on the id over p1,
 * whatever the order.
 */
static void
t_med_not_transitive(void **state)
{
	static const int perm[6][3] = { { 0, 1, 2 }, { 0, 2, 1 },
		{ 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct fix *f = *state;
	static struct rib_source s[3];
	struct tmpl t[3];
	const struct rib_path *p[3];
	int i, j;

	src(&s[0], RIB_SRC_BGP, 0, 3, "10.0.0.1");
	src(&s[1], RIB_SRC_BGP, 1, 2, "10.0.0.2");
	src(&s[2], RIB_SRC_BGP, 0, 1, "10.0.0.3");
	with_med(T(&t[0], "1 9", ORIGIN_IGP), 10);
	with_med(T(&t[1], "1 9", ORIGIN_IGP), 20);
	with_med(T(&t[2], "2 9", ORIGIN_IGP), 0);
	for (i = 0; i < 6; i++) {
		for (j = 0; j < 3; j++)
			add(f, &s[perm[i][j]], &t[perm[i][j]].a);
		for (j = 0; j < 3; j++)
			p[j] = rib_entry_path(rib_lookup(f->rib, &f->pfx),
			    &s[j]);
		assert_true(rib_path_cmp(p[0], p[1]) < 0);
		assert_true(rib_path_cmp(p[1], p[2]) < 0);
		assert_true(rib_path_cmp(p[2], p[0]) < 0);
		assert_ptr_equal(best(f), &s[2]);
		/* without p3, p1 wins; with p1 gone, p2 beats p3 */
		rib_withdraw(f->rib, &s[2], &f->pfx);
		assert_ptr_equal(best(f), &s[0]);
		add(f, &s[2], &t[2].a);
		assert_ptr_equal(best(f), &s[2]);
		rib_withdraw(f->rib, &s[0], &f->pfx);
		assert_ptr_equal(best(f), &s[1]);
		rib_flush_source(f->rib, &s[1]);
		rib_flush_source(f->rib, &s[2]);
		assert_null(rib_lookup(f->rib, &f->pfx));
	}
}

/* 5. §9.1.2.2 d): eBGP over iBGP */
static void
t_ebgp_over_ibgp(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 2, "10.0.0.2");
	T(&t1, "100 1", ORIGIN_IGP);
	pa = add(f, &a, &t1.a);
	pb = add(f, &b, &t1.a);
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
}

/* 6. §9.1.2.2 e): no IGP, all costs equal: the next hop does not matter */
static void
t_igp_cost_equal(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;

	src(&a, RIB_SRC_BGP, 0, 2, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 0, 1, "10.0.0.2");
	T(&t1, "100 1", ORIGIN_IGP);
	T(&t2, "100 1", ORIGIN_IGP);
	addr_parse("10.0.0.1", &t1.a.nexthop);
	addr_parse("203.0.113.1", &t2.a.nexthop);
	add(f, &a, &t1.a);
	add(f, &b, &t2.a);
	assert_ptr_equal(best(f), &b);	/* by the id, step 7 */
}

/* 7. §9.1.2.2 f): lowest BGP identifier */
static void
t_bgp_id(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 1, 0x0a000002, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 1, 0x0a000001, "10.0.0.2");
	T(&t1, "100 1", ORIGIN_IGP);
	pa = add(f, &a, &t1.a);
	pb = add(f, &b, &t1.a);
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
}

/* 8. §9.1.2.2 g): lowest peer address */
static void
t_peer_addr(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b, c;
	struct tmpl t1;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 1, 7, "10.0.0.10");
	src(&b, RIB_SRC_BGP, 1, 7, "10.0.0.9");
	src(&c, RIB_SRC_BGP, 1, 7, "2001:db8::1");
	T(&t1, "100 1", ORIGIN_IGP);
	add(f, &c, &t1.a);
	pa = add(f, &a, &t1.a);
	pb = add(f, &b, &t1.a);
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	assert_true(rib_path_cmp(pa, pb) > 0);
	assert_int_equal(rib_path_cmp(pa, pa), 0);
}

/* Many paths (more than rib_decide keeps on its stack): the best first,
 * the others in rib_path_cmp order.  One neighbor AS, so the MED step is
 * transitive here and the order is total. */
static void
t_many_paths(void **state)
{
	struct fix *f = *state;
	static struct rib_source s[40];
	struct tmpl t[40];
	const struct rib_path *p, *b;
	char addr[32];
	int i, n;

	for (i = 0; i < 40; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i % 3, 100 - i);
		src(&s[i], RIB_SRC_BGP, i % 2, (uint32_t)(i * 7919 % 41), addr);
		with_med(T(&t[i], i % 4 == 0 ? "1 2" : "1 3 4", ORIGIN_IGP),
		    (uint32_t)(i * 31 % 17));
		add(f, &s[i], &t[i].a);
	}
	b = rib_entry_best(rib_lookup(f->rib, &f->pfx));
	for (n = 1, p = b->next; p != NULL; p = p->next, n++) {
		assert_true(rib_path_cmp(b, p) < 0);
		if (p->next != NULL)
			assert_true(rib_path_cmp(p, p->next) < 0);
	}
	assert_int_equal(n, 40);
	assert_int_equal(rib_path_count(f->rib), 40);
	for (i = 0; i < 40; i++)
		rib_flush_source(f->rib, &s[i]);
	assert_int_equal(rib_prefix_count(f->rib), 0);
}


/* ECMP: the paths that tie through step e) are the multipath set */
static void
t_multipath(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b, c, d, k;
	struct tmpl t1, t2, t3, t4, t5;
	const struct rib_path *mp[8], *pa, *pb;
	const struct rib_entry *e;

	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 0, 2, "10.0.0.2");
	src(&c, RIB_SRC_BGP, 0, 3, "10.0.0.3");
	src(&d, RIB_SRC_BGP, 1, 4, "10.0.0.4");
	pa = add(f, &a, T(&t1, "", ORIGIN_IGP));
	pb = add(f, &b, T(&t2, "", ORIGIN_IGP));
	e = rib_lookup(f->rib, &f->pfx);
	/* a and b tie up to the identifier step: both are in the set */
	assert_int_equal(rib_entry_multipath(e, mp, 8), 2);
	assert_ptr_equal(mp[0], pa);
	assert_ptr_equal(mp[1], pb);
	/* max bounds the answer, best first */
	assert_int_equal(rib_entry_multipath(e, mp, 1), 1);
	assert_ptr_equal(mp[0], pa);
	/* c loses on origin (step b): not in the set */
	add(f, &c, T(&t3, "", ORIGIN_INCOMPLETE));
	assert_int_equal(rib_entry_multipath(e, mp, 8), 2);
	/* d is eBGP (step d): it alone is the set now */
	add(f, &d, T(&t4, "", ORIGIN_IGP));
	assert_ptr_equal(best(f), &d);
	assert_int_equal(rib_entry_multipath(e, mp, 8), 1);
	assert_ptr_equal(mp[0]->src, &d);
	rib_withdraw(f->rib, &d, &f->pfx);
	/* a local route wins step 0: the set is that route only */
	src(&k, RIB_SRC_KERNEL, 0, 0, NULL);
	add(f, &k, T(&t5, "", ORIGIN_IGP));
	assert_int_equal(rib_entry_multipath(e, mp, 8), 1);
	assert_ptr_equal(mp[0]->src, &k);
}

/* RFC 4456 §9: ORIGINATOR_ID stands in for the BGP identifier */
static void
t_rr_originator_id(void **state)
{
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 0, 2, "10.0.0.2");
	T(&t1, "", ORIGIN_IGP);
	t1.a.flags |= RIB_A_ORIGINATOR;
	t1.a.originator_id = 9;		/* a reflected route from id 9 */
	pa = add(f, &a, &t1.a);
	pb = add(f, &b, T(&t2, "", ORIGIN_IGP));
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	t2.a.flags |= RIB_A_ORIGINATOR;
	t2.a.originator_id = 10;
	pb = add(f, &b, &t2.a);
	assert_ptr_equal(best(f), &a);
	assert_true(rib_path_cmp(pa, pb) < 0);
}

/* RFC 4456 §9: the shorter CLUSTER_LIST, before the peer address */
static void
t_rr_cluster_list(void **state)
{
	static const uint8_t one[] = { 198, 18, 0, 9 };
	static const uint8_t two[] = { 198, 18, 0, 8, 198, 18, 0, 9 };
	struct fix *f = *state;
	static struct rib_source a, b;
	struct tmpl t1, t2;
	const struct rib_path *pa, *pb;

	/* same originator, so the identifier step ties */
	src(&a, RIB_SRC_BGP, 0, 1, "10.0.0.1");
	src(&b, RIB_SRC_BGP, 0, 2, "10.0.0.2");
	T(&t1, "", ORIGIN_IGP);
	t1.a.flags |= RIB_A_ORIGINATOR;
	t1.a.originator_id = 7;
	t1.a.cluster_list = two;
	t1.a.cluster_list_len = sizeof(two);
	T(&t2, "", ORIGIN_IGP);
	t2.a.flags |= RIB_A_ORIGINATOR;
	t2.a.originator_id = 7;
	t2.a.cluster_list = one;
	t2.a.cluster_list_len = sizeof(one);
	pa = add(f, &a, &t1.a);
	pb = add(f, &b, &t2.a);
	/* the lower address would pick a; the shorter list picks b */
	assert_ptr_equal(best(f), &b);
	assert_true(rib_path_cmp(pb, pa) < 0);
	/* equal lists: the peer address decides */
	t1.a.cluster_list = one;
	t1.a.cluster_list_len = sizeof(one);
	pa = add(f, &a, &t1.a);
	assert_ptr_equal(best(f), &a);
	assert_true(rib_path_cmp(pa, pb) < 0);
}

int
main(void)
{
#define T_(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T_(t_local_over_bgp),
		T_(t_local_pref),
		T_(t_aspath_length),
		T_(t_origin),
		T_(t_med_same_as),
		T_(t_med_different_as),
		T_(t_med_missing),
		T_(t_med_empty_path),
		T_(t_med_not_transitive),
		T_(t_ebgp_over_ibgp),
		T_(t_igp_cost_equal),
		T_(t_bgp_id),
		T_(t_peer_addr),
		T_(t_many_paths),
		T_(t_multipath),
		T_(t_rr_originator_id),
		T_(t_rr_cluster_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
