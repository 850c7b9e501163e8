/* tests/unit/test_export.c: per-neighbor export (rib/export.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export.h"

#define CAP_MAX	4096

/* What the callbacks were handed. */
struct cap {
	int			 calls;		/* withdraw + announce */
	int			 fail_at;	/* return -1 on this call */
	int			 nw, na;	/* successful calls */
	size_t			 wn, an;	/* prefixes in them */
	struct wr_prefix	 w[CAP_MAX];
	struct wr_prefix	 a[CAP_MAX];
	const struct rib_attrs	*attrs[CAP_MAX];	/* per announced */
	uint32_t		 wid[CAP_MAX];	/* add-path: path ids */
	uint32_t		 aid[CAP_MAX];
};

static int
cap_withdraw(void *arg, const struct wr_prefix *p, size_t n)
{
	struct cap *c = arg;
	size_t i;

	if (++c->calls == c->fail_at)
		return -1;
	c->nw++;
	for (i = 0; i < n && c->wn < CAP_MAX; i++)
		c->w[c->wn++] = p[i];
	return 0;
}

static int
cap_announce(void *arg, const struct rib_attrs *a, const struct wr_prefix *p,
    size_t n)
{
	struct cap *c = arg;
	size_t i;

	if (++c->calls == c->fail_at)
		return -1;
	c->na++;
	for (i = 0; i < n && c->an < CAP_MAX; i++) {
		c->attrs[c->an] = a;
		c->a[c->an++] = p[i];
	}
	return 0;
}

static int
cap_withdraw_id(void *arg, const struct wr_prefix *p, const uint32_t *ids,
    size_t n)
{
	struct cap *c = arg;
	size_t i, k = c->wn;

	if (cap_withdraw(arg, p, n) == -1)
		return -1;
	for (i = 0; i < n && k + i < CAP_MAX; i++)
		c->wid[k + i] = ids[i];
	return 0;
}

static int
cap_announce_id(void *arg, const struct rib_attrs *a,
    const struct wr_prefix *p, const uint32_t *ids, size_t n)
{
	struct cap *c = arg;
	size_t i, k = c->an;

	if (cap_announce(arg, a, p, n) == -1)
		return -1;
	for (i = 0; i < n && k + i < CAP_MAX; i++)
		c->aid[k + i] = ids[i];
	return 0;
}

struct fix {
	struct rib		*rib;
	struct rib_source	 kern, a, b, c;	/* a: eBGP; b, c: iBGP */
	struct rib_out		*outa, *outb, *outc;
	int			 kicks;
	struct cap		 cap;
	struct rib_out_cb	 cb;
};

static void
kick(void *arg)
{
	(*(int *)arg)++;
}

static struct wr_addr
A(const char *s)
{
	struct wr_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct rib_out *
mkout(struct fix *f, struct rib_source *self, int ebgp, const char *nh4)
{
	struct rib_export_params p;
	struct rib_out *o;
	struct wr_addr v4 = A(nh4), v6 = A("2001:db8::100");

	memset(&p, 0, sizeof(p));
	p.local_as = 64512;
	p.ebgp = ebgp;
	p.self = self;
	p.cluster_id = 0xc6120001;	/* 198.18.0.1 */
	p.kick = kick;
	p.kick_arg = &f->kicks;
	assert_non_null(o = rib_out_new(f->rib, &p));
	rib_out_start(o, &v4, &v6);
	return o;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->rib = rib_new();
	rib_source_init(&f->kern, RIB_SRC_KERNEL, "kernel");
	rib_source_init(&f->a, RIB_SRC_BGP, "a");
	f->a.ebgp = 1;
	f->a.remote_as = 65001;
	f->a.bgp_id = 1;
	f->a.addr = A("192.0.2.1");
	rib_source_init(&f->b, RIB_SRC_BGP, "b");
	f->b.bgp_id = 2;
	f->b.addr = A("10.0.0.2");
	rib_source_init(&f->c, RIB_SRC_BGP, "c");
	f->c.bgp_id = 3;
	f->c.addr = A("10.0.0.3");
	f->outa = mkout(f, &f->a, 1, "192.0.2.100");
	f->outb = mkout(f, &f->b, 0, "10.0.0.1");
	f->outc = mkout(f, &f->c, 0, "10.0.0.1");
	f->cb.withdraw = cap_withdraw;
	f->cb.announce = cap_announce;
	f->cb.arg = &f->cap;
	f->cb.withdraw_id = cap_withdraw_id;
	f->cb.announce_id = cap_announce_id;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	rib_out_free(f->outa);
	rib_out_free(f->outb);
	rib_out_free(f->outc);
	rib_free(f->rib);
	free(f);
	assert_int_equal(rib_attrs_count(), 0);
	return 0;
}

static struct cap *
drain(struct fix *f, struct rib_out *o)
{
	memset(&f->cap, 0, sizeof(f->cap));
	assert_int_equal(rib_out_drain(o, &f->cb, SIZE_MAX), 0);
	return &f->cap;
}

static struct wr_prefix
P(const char *s)
{
	struct wr_prefix p;

	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* A template with one AS_SEQUENCE segment of up to 4 ASes (0 ends). */
struct tmpl {
	struct rib_attrs	 a;
	uint8_t			 path[2 + 16];
	uint8_t			 comm[4];
};

static struct rib_attrs *
T(struct tmpl *t, const char *nh, uint32_t as1, uint32_t as2)
{
	uint32_t as[2] = { as1, as2 };
	int i, n = 0;

	memset(t, 0, sizeof(*t));
	t->a.nexthop = A(nh);
	t->a.aspath = t->path;
	t->path[0] = AS_SEQUENCE;
	for (i = 0; i < 2 && as[i] != 0; i++, n++) {
		t->path[2 + i * 4] = as[i] >> 24;
		t->path[3 + i * 4] = as[i] >> 16;
		t->path[4 + i * 4] = as[i] >> 8;
		t->path[5 + i * 4] = as[i];
	}
	t->path[1] = (uint8_t)n;
	t->a.aspath_len = n > 0 ? (uint16_t)(2 + n * 4) : 0;
	return &t->a;
}

static void
upd(struct fix *f, struct rib_source *s, const char *pfx,
    const struct rib_attrs *a)
{
	struct wr_prefix p = P(pfx);

	assert_int_not_equal(rib_update(f->rib, s, &p, a), -1);
}

static void
wd(struct fix *f, struct rib_source *s, const char *pfx)
{
	struct wr_prefix p = P(pfx);

	rib_withdraw(f->rib, s, &p);
}

static void
assert_path(const struct rib_attrs *a, const char *want)
{
	char buf[128];

	aspath_fmt(a->aspath, a->aspath_len, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
assert_nh(const struct rib_attrs *a, const char *want)
{
	struct wr_addr w = A(want);

	assert_int_equal(addr_cmp(&a->nexthop, &w), 0);
}

/* RFC 4271 §9.2: iBGP-learned routes do not go to iBGP peers. */
static void
t_split_horizon(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;

	upd(f, &f->b, "198.51.100.0/24", T(&t1, "10.0.0.2", 65002, 0));
	c = drain(f, f->outc);
	assert_int_equal(c->calls, 0);
	assert_int_equal(rib_out_sent_count(f->outc), 0);
	c = drain(f, f->outa);
	assert_int_equal(c->na, 1);
	assert_int_equal(rib_out_sent_count(f->outa), 1);
	/* an eBGP-learned route goes to every iBGP peer, next hop as is */
	upd(f, &f->a, "203.0.113.0/24", T(&t2, "192.0.2.1", 65001, 0));
	c = drain(f, f->outc);
	assert_int_equal(c->na, 1);
	assert_int_equal(c->an, 1);
	assert_nh(c->attrs[0], "192.0.2.1");
	assert_path(c->attrs[0], "65001");
	assert_true(c->attrs[0]->flags & RIB_A_LOCAL_PREF);
	assert_int_equal(c->attrs[0]->local_pref, LOCAL_PREF_DEFAULT);
	c = drain(f, f->outb);
	assert_int_equal(c->an, 1);
	assert_int_equal(rib_out_sent_count(f->outb), 1);
}

/* A route is never sent back to the neighbor it came from. */
static void
t_no_echo(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;
	struct wr_prefix p = P("198.51.100.0/24");

	T(&t1, "10.0.0.2", 0, 0);
	t1.a.flags = RIB_A_LOCAL_PREF;
	t1.a.local_pref = 50;
	upd(f, &f->b, "198.51.100.0/24", &t1.a);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 1);
	/* a's own route (default 100 > 50) wins: withdraw it towards a */
	upd(f, &f->a, "198.51.100.0/24", T(&t2, "192.0.2.1", 65001, 0));
	c = drain(f, f->outa);
	assert_int_equal(c->nw, 1);
	assert_int_equal(c->wn, 1);
	assert_int_equal(prefix_cmp(&c->w[0], &p), 0);
	assert_int_equal(c->na, 0);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
	/* b now gets a's route, with a's next hop */
	c = drain(f, f->outb);
	assert_int_equal(c->an, 1);
	assert_nh(c->attrs[0], "192.0.2.1");
}

/* eBGP: prepend, next hop self, no LOCAL_PREF, no foreign MED. */
static void
t_ebgp_rewrite(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;
	const struct rib_attrs *a;

	T(&t1, "10.0.0.2", 65002, 0);
	t1.a.flags = RIB_A_LOCAL_PREF | RIB_A_MED;
	t1.a.local_pref = 200;
	t1.a.med = 50;
	t1.a.origin = ORIGIN_EGP;
	upd(f, &f->b, "198.51.100.0/24", &t1.a);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 1);
	a = c->attrs[0];
	assert_path(a, "64512 65002");
	assert_nh(a, "192.0.2.100");
	assert_false(a->flags & (RIB_A_LOCAL_PREF | RIB_A_MED));
	assert_int_equal(a->origin, ORIGIN_EGP);

	/* a locally originated route keeps its MED; v6 gets the v6 next hop */
	T(&t2, "0.0.0.0", 0, 0);
	t2.a.nexthop.af = 0;
	t2.a.flags = RIB_A_MED;
	t2.a.med = 7;
	upd(f, &f->kern, "203.0.113.0/24", &t2.a);
	upd(f, &f->kern, "2001:db8:1::/48", &t2.a);
	c = drain(f, f->outa);
	assert_int_equal(c->na, 2);
	assert_int_equal(c->an, 2);
	assert_path(c->attrs[0], "64512");
	assert_path(c->attrs[1], "64512");
	assert_true(c->attrs[0]->flags & RIB_A_MED);
	assert_int_equal(c->attrs[0]->med, 7);
	if (c->a[0].addr.af == AF_INET) {
		assert_nh(c->attrs[0], "192.0.2.100");
		assert_nh(c->attrs[1], "2001:db8::100");
	} else {
		assert_nh(c->attrs[0], "2001:db8::100");
		assert_nh(c->attrs[1], "192.0.2.100");
	}
	/* iBGP: a local route gets LOCAL_PREF and our next hop, no prepend */
	c = drain(f, f->outb);
	assert_int_equal(c->an, 2);	/* b's own route is not echoed */
	assert_int_equal(rib_out_sent_count(f->outb), 2);
}

/* iBGP neighbor: LOCAL_PREF kept or defaulted, local routes next hop self. */
static void
t_ibgp_attrs(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;
	struct wr_prefix pk = P("203.0.113.0/24");
	size_t i;

	T(&t1, "192.0.2.1", 65001, 0);
	t1.a.flags = RIB_A_MED;
	t1.a.med = 3;
	upd(f, &f->a, "198.51.100.0/24", &t1.a);
	T(&t2, "0.0.0.0", 0, 0);
	upd(f, &f->kern, "203.0.113.0/24", &t2.a);
	c = drain(f, f->outb);
	assert_int_equal(c->an, 2);
	for (i = 0; i < 2; i++) {
		const struct rib_attrs *a = c->attrs[i];

		assert_true(a->flags & RIB_A_LOCAL_PREF);
		assert_int_equal(a->local_pref, 100);
		if (prefix_cmp(&c->a[i], &pk) == 0) {
			assert_nh(a, "10.0.0.1");
			assert_path(a, "");
		} else {
			/* a MED received from a neighbor AS stays in the AS */
			assert_nh(a, "192.0.2.1");
			assert_true(a->flags & RIB_A_MED);
			assert_path(a, "65001");
		}
	}
}

/* One announce call per distinct attribute set. */
static void
t_grouping(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct wr_prefix p;
	struct cap *c;
	uint32_t i;

	T(&t1, "0.0.0.0", 0, 0);
	T(&t2, "0.0.0.0", 0, 0);
	t2.a.origin = ORIGIN_INCOMPLETE;
	memset(&p, 0, sizeof(p));
	p.len = 24;
	for (i = 0; i < 1000; i++) {
		addr_from_v4(&p.addr, 0x0a000000u | i << 8);
		assert_int_equal(rib_update(f->rib, &f->kern, &p, &t1.a), 1);
	}
	assert_int_equal(rib_out_pending(f->outa), 1000);
	c = drain(f, f->outa);
	assert_int_equal(c->na, 1);
	assert_int_equal(c->an, 1000);
	assert_int_equal(c->nw, 0);
	/* in queue order */
	addr_from_v4(&p.addr, 0x0a000000u | 999 << 8);
	assert_int_equal(prefix_cmp(&c->a[999], &p), 0);
	/* half of them change: two sets, two calls */
	for (i = 0; i < 1000; i += 2) {
		addr_from_v4(&p.addr, 0x0a000000u | i << 8);
		assert_int_equal(rib_update(f->rib, &f->kern, &p, &t2.a), 1);
	}
	addr_from_v4(&p.addr, 0x0b000000u);
	assert_int_equal(rib_update(f->rib, &f->kern, &p, &t1.a), 1);
	c = drain(f, f->outb);
	assert_int_equal(c->na, 2);
	assert_int_equal(c->an, 1001);
	assert_int_equal(rib_out_sent_count(f->outb), 1001);
	c = drain(f, f->outa);
	assert_int_equal(c->na, 2);
	assert_int_equal(c->an, 501);
}

static void
t_withdraw_when_gone(void **state)
{
	struct fix *f = *state;
	struct tmpl t1;
	struct cap *c;
	struct wr_prefix p = P("2001:db8:5::/48");

	upd(f, &f->kern, "2001:db8:5::/48", T(&t1, "::", 0, 0));
	c = drain(f, f->outa);
	assert_int_equal(c->an, 1);
	assert_int_equal(rib_out_sent_count(f->outa), 1);
	wd(f, &f->kern, "2001:db8:5::/48");
	assert_int_equal(rib_out_pending(f->outa), 1);
	c = drain(f, f->outa);
	assert_int_equal(c->nw, 1);
	assert_int_equal(c->wn, 1);
	assert_int_equal(c->na, 0);
	assert_int_equal(prefix_cmp(&c->w[0], &p), 0);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
	/* nothing more to say */
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
}

/* Changes between two drains collapse. */
static void
t_collapse(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2, t3;
	struct cap *c;

	upd(f, &f->kern, "10.9.0.0/16", T(&t1, "0.0.0.0", 0, 0));
	wd(f, &f->kern, "10.9.0.0/16");
	assert_int_equal(rib_out_pending(f->outa), 1);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
	assert_int_equal(rib_out_pending(f->outa), 0);
	/* three versions: only the last goes out */
	T(&t2, "0.0.0.0", 0, 0);
	t2.a.origin = ORIGIN_EGP;
	T(&t3, "0.0.0.0", 0, 0);
	t3.a.origin = ORIGIN_INCOMPLETE;
	upd(f, &f->kern, "10.9.0.0/16", &t1.a);
	upd(f, &f->kern, "10.9.0.0/16", &t2.a);
	upd(f, &f->kern, "10.9.0.0/16", &t3.a);
	assert_int_equal(rib_out_pending(f->outa), 1);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 1);
	assert_int_equal(c->attrs[0]->origin, ORIGIN_INCOMPLETE);
	/* gone and back the same: nothing to send */
	wd(f, &f->kern, "10.9.0.0/16");
	upd(f, &f->kern, "10.9.0.0/16", &t3.a);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
	assert_int_equal(rib_out_sent_count(f->outa), 1);
}

/* A callback refusing leaves the rest queued, in order. */
static void
t_partial_drain(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct wr_prefix p;
	uint32_t i;

	T(&t1, "0.0.0.0", 0, 0);
	T(&t2, "0.0.0.0", 0, 0);
	t2.a.origin = ORIGIN_EGP;
	memset(&p, 0, sizeof(p));
	p.len = 32;
	for (i = 0; i < 100; i++) {
		addr_from_v4(&p.addr, 0x0a000000u | i);
		rib_update(f->rib, &f->kern, &p, i < 50 ? &t1.a : &t2.a);
	}
	memset(&f->cap, 0, sizeof(f->cap));
	f->cap.fail_at = 1;
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 100);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
	/* the second group refuses: the first stays delivered */
	memset(&f->cap, 0, sizeof(f->cap));
	f->cap.fail_at = 2;
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 50);
	assert_int_equal(rib_out_sent_count(f->outa), 50);
	assert_int_equal(f->cap.an, 50);
	/* a budget */
	memset(&f->cap, 0, sizeof(f->cap));
	assert_int_equal(rib_out_drain(f->outa, &f->cb, 10), 40);
	assert_int_equal(f->cap.an, 10);
	assert_int_equal(rib_out_sent_count(f->outa), 60);
	/* the rest, in order */
	memset(&f->cap, 0, sizeof(f->cap));
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 0);
	assert_int_equal(f->cap.an, 40);
	addr_from_v4(&p.addr, 0x0a000000u | 60);
	assert_int_equal(prefix_cmp(&f->cap.a[0], &p), 0);
	assert_int_equal(rib_out_sent_count(f->outa), 100);
	/* a refused withdrawal stays queued as well */
	for (i = 0; i < 10; i++) {
		addr_from_v4(&p.addr, 0x0a000000u | i);
		rib_withdraw(f->rib, &f->kern, &p);
	}
	memset(&f->cap, 0, sizeof(f->cap));
	f->cap.fail_at = 1;
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 10);
	assert_int_equal(rib_out_sent_count(f->outa), 100);
	memset(&f->cap, 0, sizeof(f->cap));
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 0);
	assert_int_equal(f->cap.wn, 10);
	assert_int_equal(rib_out_sent_count(f->outa), 90);
}

static void
t_kick(void **state)
{
	struct fix *f = *state;
	struct tmpl t1;

	f->kicks = 0;
	T(&t1, "0.0.0.0", 0, 0);
	upd(f, &f->kern, "10.1.0.0/16", &t1.a);
	assert_int_equal(f->kicks, 3);		/* one per neighbor */
	upd(f, &f->kern, "10.2.0.0/16", &t1.a);
	assert_int_equal(f->kicks, 3);
	drain(f, f->outa);
	upd(f, &f->kern, "10.3.0.0/16", &t1.a);
	assert_int_equal(f->kicks, 4);		/* a's queue was empty */
	assert_int_equal(rib_out_pending(f->outb), 3);
}

/* RFC 1997 well-known communities. */
static void
t_communities(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	static const uint8_t noexp[4] = { 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t noadv[4] = { 0xff, 0xff, 0xff, 0x02 };

	T(&t1, "0.0.0.0", 0, 0);
	t1.a.communities = noexp;
	t1.a.communities_len = 4;
	T(&t2, "0.0.0.0", 0, 0);
	t2.a.communities = noadv;
	t2.a.communities_len = 4;
	upd(f, &f->kern, "10.1.0.0/16", &t1.a);
	upd(f, &f->kern, "10.2.0.0/16", &t2.a);
	assert_int_equal(drain(f, f->outa)->calls, 0);
	assert_int_equal(drain(f, f->outb)->an, 1);
}

/* Start queues the Loc-RIB; stop forgets; a stopped out is not following. */
static void
t_start_stop(void **state)
{
	struct fix *f = *state;
	struct tmpl t1;
	struct wr_addr v4 = A("192.0.2.100");
	struct cap *c;

	T(&t1, "0.0.0.0", 0, 0);
	upd(f, &f->kern, "10.1.0.0/16", &t1.a);
	upd(f, &f->kern, "10.2.0.0/16", &t1.a);
	drain(f, f->outa);
	assert_int_equal(rib_out_sent_count(f->outa), 2);
	rib_out_stop(f->outa);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
	assert_int_equal(rib_out_pending(f->outa), 0);
	upd(f, &f->kern, "10.3.0.0/16", &t1.a);
	assert_int_equal(rib_out_pending(f->outa), 0);
	f->kicks = 0;
	rib_out_start(f->outa, &v4, NULL);
	assert_int_equal(f->kicks, 1);
	assert_int_equal(rib_out_pending(f->outa), 3);
	c = drain(f, f->outa);
	assert_int_equal(c->na, 1);
	assert_int_equal(c->an, 3);
	/* no IPv6 address on the session: an IPv6 route cannot go out */
	upd(f, &f->kern, "2001:db8::/32", &t1.a);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
}

/* RFC 2918: a refresh sends every route again and loses no withdrawal */
static void
t_refresh(void **state)
{
	struct fix *f = *state;
	struct tmpl t1;
	struct cap *c;

	upd(f, &f->kern, "10.9.0.0/16", T(&t1, "0.0.0.0", 0, 0));
	upd(f, &f->kern, "10.10.0.0/16", &t1.a);
	upd(f, &f->kern, "10.11.0.0/16", &t1.a);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 3);
	assert_int_equal(rib_out_sent_count(f->outa), 3);
	/* a withdrawal is queued, not yet sent, when the refresh comes */
	wd(f, &f->kern, "10.11.0.0/16");
	rib_out_refresh(f->outa);
	assert_int_equal(rib_out_pending(f->outa), 3);
	c = drain(f, f->outa);
	assert_int_equal(c->wn, 1);
	assert_int_equal(c->an, 2);
	assert_int_equal(rib_out_sent_count(f->outa), 2);
	/* nothing more afterwards: the records were kept */
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
}

/* A reflector client d (RFC 4456), with its own export. */
static struct rib_out *
mkclient(struct fix *f, struct rib_source *d)
{
	struct rib_export_params p;
	struct rib_out *o;
	struct wr_addr v4 = A("10.0.0.1"), v6 = A("2001:db8::100");

	rib_source_init(d, RIB_SRC_BGP, "d");
	d->bgp_id = 0x0a000004;
	d->addr = A("10.0.0.4");
	d->rr_client = 1;
	memset(&p, 0, sizeof(p));
	p.local_as = 64512;
	p.self = d;
	p.rr_client = 1;
	p.cluster_id = 0xc6120001;	/* 198.18.0.1 */
	assert_non_null(o = rib_out_new(f->rib, &p));
	rib_out_start(o, &v4, &v6);
	return o;
}

static void
assert_reflected(const struct rib_attrs *a, uint32_t orig,
    const uint8_t *cl, size_t cllen)
{
	assert_true(a->flags & RIB_A_ORIGINATOR);
	assert_int_equal(a->originator_id, orig);
	assert_int_equal(a->cluster_list_len, cllen);
	assert_memory_equal(a->cluster_list, cl, cllen);
}

/* RFC 4456 §6: a client's route goes to every iBGP peer and eBGP. */
static void
t_rr_from_client(void **state)
{
	static const uint8_t cl[] = { 198, 18, 0, 1 };
	struct fix *f = *state;
	struct rib_source d;
	struct rib_out *outd = mkclient(f, &d);
	struct tmpl t1;
	struct cap *c;

	upd(f, &d, "10.244.4.0/26", T(&t1, "10.0.0.4", 0, 0));
	c = drain(f, f->outb);
	assert_int_equal(c->an, 1);
	assert_reflected(c->attrs[0], 0x0a000004, cl, sizeof(cl));
	assert_nh(c->attrs[0], "10.0.0.4");
	c = drain(f, f->outc);
	assert_int_equal(c->an, 1);
	assert_reflected(c->attrs[0], 0x0a000004, cl, sizeof(cl));
	/* RFC 4456 §8: neither attribute leaves the AS */
	c = drain(f, f->outa);
	assert_int_equal(c->an, 1);
	assert_false(c->attrs[0]->flags & RIB_A_ORIGINATOR);
	assert_int_equal(c->attrs[0]->cluster_list_len, 0);
	c = drain(f, outd);
	assert_int_equal(c->calls, 0);
	rib_out_free(outd);
	rib_flush_source(f->rib, &d);
}

/* RFC 4456 §6: a non-client's route goes to the clients only; an
 * ORIGINATOR_ID is kept, our CLUSTER_ID goes in front. */
static void
t_rr_from_nonclient(void **state)
{
	static const uint8_t in[] = { 198, 18, 0, 7 };
	static const uint8_t out[] = { 198, 18, 0, 1, 198, 18, 0, 7 };
	struct fix *f = *state;
	struct rib_source d;
	struct rib_out *outd = mkclient(f, &d);
	struct tmpl t1;
	struct cap *c;

	T(&t1, "10.0.0.2", 0, 0);
	t1.a.flags |= RIB_A_ORIGINATOR;
	t1.a.originator_id = 0x0a000009;
	t1.a.cluster_list = in;
	t1.a.cluster_list_len = sizeof(in);
	upd(f, &f->b, "10.244.2.0/26", &t1.a);
	c = drain(f, f->outc);
	assert_int_equal(c->calls, 0);
	c = drain(f, outd);
	assert_int_equal(c->an, 1);
	assert_reflected(c->attrs[0], 0x0a000009, out, sizeof(out));
	/* a local route is not reflected: no ORIGINATOR_ID */
	upd(f, &f->kern, "10.244.1.0/26", T(&t1, "0.0.0.0", 0, 0));
	c = drain(f, outd);
	assert_int_equal(c->an, 1);
	assert_false(c->attrs[0]->flags & RIB_A_ORIGINATOR);
	assert_int_equal(c->attrs[0]->cluster_list_len, 0);
	rib_out_free(outd);
	rib_flush_source(f->rib, &f->kern);
}

/*
 * RFC 4271 §5.1.3 next-hop modes: self rewrites towards iBGP too, keep
 * leaves a BGP next hop alone towards eBGP (a local route gets ours in
 * both), and a mode change re-plans what was sent.
 */
static void
t_next_hop_modes(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;

	upd(f, &f->a, "203.0.113.0/24", T(&t1, "192.0.2.1", 65001, 0));
	upd(f, &f->kern, "10.244.1.0/26", T(&t2, "0.0.0.0", 0, 0));
	drain(f, f->outb);
	drain(f, f->outa);
	/* iBGP, self: the eBGP-learned route gets our address */
	rib_out_set_next_hop(f->outb, RIB_NH_SELF);
	c = drain(f, f->outb);
	assert_int_equal(c->an, 1);
	assert_nh(c->attrs[0], "10.0.0.1");
	/* back to the default: the learned next hop again */
	rib_out_set_next_hop(f->outb, RIB_NH_DEFAULT);
	c = drain(f, f->outb);
	assert_int_equal(c->an, 1);
	assert_nh(c->attrs[0], "192.0.2.1");
	/* eBGP, keep: a route from iBGP b keeps its third-party next hop */
	upd(f, &f->b, "198.51.100.0/24", T(&t1, "10.0.0.2", 65002, 0));
	rib_out_set_next_hop(f->outa, RIB_NH_KEEP);
	c = drain(f, f->outa);
	/* the local /26 keeps our next hop: not sent again */
	assert_int_equal(c->an, 1);
	assert_int_equal(c->a[0].len, 24);
	assert_nh(c->attrs[0], "10.0.0.2");
	assert_path(c->attrs[0], "64512 65002");
	/* nothing changed: nothing sent */
	rib_out_set_next_hop(f->outa, RIB_NH_KEEP);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
	rib_flush_source(f->rib, &f->kern);
	rib_flush_source(f->rib, &f->a);
	rib_flush_source(f->rib, &f->b);
}

static uint32_t
txid(struct fix *f, const char *pfx, const struct rib_source *s)
{
	struct wr_prefix p = P(pfx);
	const struct rib_entry *e = rib_lookup(f->rib, &p);
	const struct rib_path *q;

	assert_non_null(e);
	assert_non_null(q = rib_entry_path(e, s));
	return q->tx_id;
}

static void
addpath_on(struct fix *f, struct rib_out *o, int mask)
{
	struct wr_addr v4 = A("192.0.2.100"), v6 = A("2001:db8::100");

	rib_out_set_add_path(o, mask);
	rib_out_start(o, &v4, &v6);
}

/* RFC 7911: every eligible path goes out, each with its own id. */
static void
t_addpath_send(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2, t3;
	struct cap *c;
	uint32_t idb, idc;

	addpath_on(f, f->outa, RIB_AP_V4 | RIB_AP_V6);
	T(&t1, "10.0.0.2", 65002, 0);
	t1.a.flags = RIB_A_LOCAL_PREF;
	t1.a.local_pref = 200;
	upd(f, &f->b, "198.51.100.0/24", &t1.a);
	upd(f, &f->c, "198.51.100.0/24", T(&t2, "10.0.0.3", 65003, 0));
	idb = txid(f, "198.51.100.0/24", &f->b);
	idc = txid(f, "198.51.100.0/24", &f->c);
	assert_int_not_equal(idb, 0);
	assert_int_not_equal(idc, 0);
	assert_int_not_equal(idb, idc);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 2);
	assert_int_equal(c->wn, 0);
	assert_true((c->aid[0] == idb && c->aid[1] == idc) ||
	    (c->aid[0] == idc && c->aid[1] == idb));
	assert_path(c->attrs[c->aid[0] == idb ? 0 : 1], "64512 65002");
	assert_path(c->attrs[c->aid[0] == idc ? 0 : 1], "64512 65003");
	assert_nh(c->attrs[0], "192.0.2.100");
	assert_int_equal(rib_out_sent_count(f->outa), 2);

	/* the best changes (c now), the set sent stays: nothing new */
	T(&t3, "10.0.0.3", 65003, 0);
	t3.a.flags = RIB_A_LOCAL_PREF;
	t3.a.local_pref = 300;
	upd(f, &f->c, "198.51.100.0/24", &t3.a);
	assert_int_equal(txid(f, "198.51.100.0/24", &f->c), idc);
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);

	/* a path of the neighbor itself is not sent back */
	upd(f, &f->a, "198.51.100.0/24", T(&t2, "192.0.2.1", 65001, 0));
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
	assert_int_equal(rib_out_sent_count(f->outa), 2);

	/* one path goes: a withdrawal of exactly its id */
	wd(f, &f->c, "198.51.100.0/24");
	c = drain(f, f->outa);
	assert_int_equal(c->an, 0);
	assert_int_equal(c->wn, 1);
	assert_int_equal(c->wid[0], idc);
	assert_int_equal(c->w[0].len, 24);
	assert_int_equal(rib_out_sent_count(f->outa), 1);

	/* the others: the last one, then nothing left */
	wd(f, &f->a, "198.51.100.0/24");
	c = drain(f, f->outa);
	assert_int_equal(c->calls, 0);
	wd(f, &f->b, "198.51.100.0/24");
	c = drain(f, f->outa);
	assert_int_equal(c->wn, 1);
	assert_int_equal(c->wid[0], idb);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
}

/* Add-path for IPv4 only: IPv6 gets the best path alone, id 0; an out
 * without add-path still sends one path per prefix. */
static void
t_addpath_family(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c;

	addpath_on(f, f->outa, RIB_AP_V4);
	upd(f, &f->b, "2001:db8:1::/48", T(&t1, "2001:db8::2", 65002, 0));
	upd(f, &f->c, "2001:db8:1::/48", T(&t2, "2001:db8::3", 65003, 0));
	upd(f, &f->b, "198.51.100.0/24", T(&t1, "10.0.0.2", 65002, 0));
	upd(f, &f->c, "198.51.100.0/24", T(&t2, "10.0.0.3", 65003, 0));
	c = drain(f, f->outa);
	assert_int_equal(c->an, 3);
	assert_int_equal(rib_out_sent_count(f->outa), 3);
	/* RFC 2918: a refresh sends all three again */
	rib_out_refresh(f->outa);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 3);
	assert_int_equal(c->wn, 0);
	/* the IPv6 best changes: replaced under id 0, no withdrawal */
	wd(f, &f->b, "2001:db8:1::/48");
	c = drain(f, f->outa);
	assert_int_equal(c->wn, 0);
	assert_int_equal(c->an, 1);
	assert_int_equal(c->aid[0], 0);
	assert_path(c->attrs[0], "64512 65003");
	/* without add-path: the best only */
	addpath_on(f, f->outa, 0);
	c = drain(f, f->outa);
	assert_int_equal(c->an, 2);
	assert_int_equal(rib_out_sent_count(f->outa), 2);
	rib_flush_source(f->rib, &f->b);
	rib_flush_source(f->rib, &f->c);
	c = drain(f, f->outa);
	assert_int_equal(c->wn, 2);
	assert_int_equal(rib_out_sent_count(f->outa), 0);
}

/* A refused callback: the rest is sent by the next drain, nothing lost. */
static void
t_addpath_partial(void **state)
{
	struct fix *f = *state;
	struct tmpl t1, t2;
	struct cap *c = &f->cap;

	addpath_on(f, f->outa, RIB_AP_V4);
	upd(f, &f->b, "198.51.100.0/24", T(&t1, "10.0.0.2", 65002, 0));
	upd(f, &f->c, "198.51.100.0/24", T(&t2, "10.0.0.3", 65003, 0));
	memset(c, 0, sizeof(*c));
	c->fail_at = 2;
	assert_int_equal(rib_out_drain(f->outa, &f->cb, SIZE_MAX), 1);
	assert_int_equal(c->an, 1);
	assert_int_equal(rib_out_sent_count(f->outa), 1);
	c = drain(f, f->outa);
	assert_true(c->an >= 1);
	assert_int_equal(rib_out_sent_count(f->outa), 2);
	rib_flush_source(f->rib, &f->b);
	rib_flush_source(f->rib, &f->c);
	c = drain(f, f->outa);
	assert_int_equal(c->wn, 2);
}

int
main(void)
{
#define T_(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T_(t_split_horizon),
		T_(t_no_echo),
		T_(t_ebgp_rewrite),
		T_(t_ibgp_attrs),
		T_(t_grouping),
		T_(t_withdraw_when_gone),
		T_(t_collapse),
		T_(t_partial_drain),
		T_(t_kick),
		T_(t_communities),
		T_(t_refresh),
		T_(t_start_stop),
		T_(t_rr_from_client),
		T_(t_rr_from_nonclient),
		T_(t_next_hop_modes),
		T_(t_addpath_send),
		T_(t_addpath_family),
		T_(t_addpath_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
