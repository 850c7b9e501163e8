/*
 * tests/unit/test_policy.c: routing policy (rib/policy.c) and its grammar:
 * matching, actions, verdicts, aggregates, the golden `wrend -n -v` output
 * of tests/unit/data/policy.conf, and the parser's policy errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "export.h"
#include "policy.h"
#include "testutil.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif

#define H	"router-id 10.0.0.1\nlocal-as 65000\n"

static struct wr_prefix
pfx(const char *s)
{
	struct wr_prefix p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* A policy named "p" from its body; the config is kept in *cp. */
static const struct policy *
pol(const char *body, struct wren_config **cp)
{
	char text[4096];

	snprintf(text, sizeof(text), H "prefix-set \"pods\" { 10.244.0.0/16 "
	    "le 32; fd00::/8 ge 64 le 128 }\ncommunity-set \"cs\" { 1:1 "
	    "2:2:2 }\npolicy \"p\" {\n%s\n}\n", body);
	*cp = tu_parse_ok(text);
	return policy_find((*cp)->policies, "p");
}

/* ---- golden ---------------------------------------------------------- */

static void
test_golden(void **state)
{
	struct wren_config *c, *c2;
	char *want, *got, *again;

	(void)state;
	c = config_parse_file(TEST_DATA_DIR "/policy.conf", stderr);
	assert_non_null(c);
	want = tu_read_file(TEST_DATA_DIR "/policy.golden");
	got = tu_print(c);
	assert_string_equal(got, want);
	/* the canonical form parses back to itself */
	c2 = tu_parse_ok(got);
	again = tu_print(c2);
	assert_string_equal(again, got);
	free(want);
	free(got);
	free(again);
	config_free(c);
	config_free(c2);
}

/* ---- matching -------------------------------------------------------- */

static void
test_prefix_set(void **state)
{
	struct wren_config *c;
	const struct pol_prefix_set *s;
	struct wr_prefix p;

	(void)state;
	c = tu_parse_ok(H "prefix-set \"a\" {\n 10.0.0.0/8 ge 24 le 28\n"
	    " 192.168.0.0/16\n fd00::/8 le 64; 172.16.0.0/12 ge 20 }\n");
	s = pol_prefix_set_find(c->prefix_sets, "a");
	assert_non_null(s);
	assert_int_equal(s->n, 4);
	p = pfx("10.1.2.0/24");
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("10.1.2.16/28");
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("10.1.2.1/32");
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("10.1.0.0/16");
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("192.168.0.0/16");
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("192.168.1.0/24");
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("fd00:1::/64");
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("fd00:1::1/128");
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("fd00::/8");		/* ge defaults to the length */
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("fc00::/64");		/* differs in bit 8 only */
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("10.0.0.0/24");		/* another family, same octets */
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("a00::/24");
	assert_false(pol_prefix_set_match(s, &p));
	p = pfx("172.16.5.5/32");	/* ge alone: up to the host */
	assert_true(pol_prefix_set_match(s, &p));
	p = pfx("11.0.0.0/24");
	assert_false(pol_prefix_set_match(s, &p));
	config_free(c);
}

static const uint8_t path_3[] = {	/* 65001 65002 65003 */
	AS_SEQUENCE, 3, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xeb
};

static void
attrs_init(struct rib_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->origin = ORIGIN_IGP;
	a->aspath = path_3;
	a->aspath_len = sizeof(path_3);
}

static int
eval(const struct policy *p, const char *prefix, int src, int ebgp,
    const struct rib_attrs *in, struct pol_out *o)
{
	struct wr_prefix pf = pfx(prefix);
	struct wr_addr self;
	struct pol_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(addr_parse("198.18.0.1", &self), 0);
	ctx.prefix = &pf;
	ctx.source = src;
	ctx.ebgp = ebgp;
	ctx.prepend_as = 64512;
	ctx.self = &self;
	return policy_eval(p, &ctx, in, o);
}

static void
test_aspath(void **state)
{
	struct wren_config *c;
	struct rib_attrs a;
	struct pol_out o;

	(void)state;
	memset(&o, 0, sizeof(o));
	attrs_init(&a);
	assert_int_equal(pol_aspath_origin(path_3, sizeof(path_3)), 65003);
	assert_int_equal(pol_aspath_origin(NULL, 0), 0);
	assert_int_equal(eval(pol("rule { match as-path contains 65002\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match as-path contains 65009\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_REJECT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match as-path origin 65003\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match as-path origin 65001\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_REJECT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match as-path length le 3\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match as-path length ge 4\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_REJECT);
	config_free(c);
	assert_int_equal(eval(pol("rule { match not as-path length eq 2\n"
	    "accept }", &c), "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	config_free(c);
	pol_out_free(&o);
}

static void
test_source_type(void **state)
{
	struct wren_config *c;
	const struct policy *p;
	struct rib_attrs a;
	struct pol_out o;

	(void)state;
	memset(&o, 0, sizeof(o));
	attrs_init(&a);
	p = pol("rule {\nmatch prefix-set \"pods\"\nmatch source kernel\n"
	    "match neighbor-type ebgp\naccept\n}\nrule { match source "
	    "static\naccept }\ndefault reject", &c);
	assert_int_equal(eval(p, "10.244.1.5/32", RIB_SRC_KERNEL, 1, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(eval(p, "10.244.1.5/32", RIB_SRC_KERNEL, 0, &a, &o),
	    POL_REJECT);
	assert_int_equal(eval(p, "10.244.1.5/32", RIB_SRC_BGP, 1, &a, &o),
	    POL_REJECT);
	assert_int_equal(eval(p, "10.245.1.5/32", RIB_SRC_KERNEL, 1, &a, &o),
	    POL_REJECT);
	assert_int_equal(eval(p, "fd00:1::5/128", RIB_SRC_KERNEL, 1, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(eval(p, "10.96.0.0/12", RIB_SRC_STATIC, 0, &a, &o),
	    POL_ACCEPT);
	config_free(c);
	pol_out_free(&o);
}

static const char *
iface(void *arg, const struct wr_prefix *p)
{
	(void)p;
	return arg;
}

static void
test_interface(void **state)
{
	struct wren_config *c;
	const struct policy *p;
	struct policy_env env = { NULL, iface, (void *)"cali1234" };
	struct wr_prefix pf = pfx("10.244.1.5/32");
	struct rib_attrs a;
	struct pol_out o;
	struct pol_ctx ctx;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&ctx, 0, sizeof(ctx));
	attrs_init(&a);
	p = pol("rule { match interface \"cali*\"\naccept }", &c);
	ctx.prefix = &pf;
	ctx.source = RIB_SRC_KERNEL;
	ctx.env = &env;
	assert_int_equal(policy_eval(p, &ctx, &a, &o), POL_ACCEPT);
	env.ifname_arg = (void *)"eth0";
	assert_int_equal(policy_eval(p, &ctx, &a, &o), POL_REJECT);
	env.ifname_arg = NULL;
	assert_int_equal(policy_eval(p, &ctx, &a, &o), POL_REJECT);
	/* only kernel routes have an interface */
	env.ifname_arg = (void *)"cali1234";
	ctx.source = RIB_SRC_BGP;
	assert_int_equal(policy_eval(p, &ctx, &a, &o), POL_REJECT);
	config_free(c);
	pol_out_free(&o);
}

/* ---- actions --------------------------------------------------------- */

static uint32_t
comm_at(const struct rib_attrs *a, size_t i)
{
	const uint8_t *b = a->communities + 4 * i;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static void
test_communities(void **state)
{
	static const uint8_t in_comm[] = { 0, 1, 0, 1, 0, 2, 0, 2 };
	struct wren_config *c;
	const struct policy *p;
	struct pol_comm q;
	struct rib_attrs a;
	struct pol_out o;

	(void)state;
	memset(&o, 0, sizeof(o));
	attrs_init(&a);
	a.communities = in_comm;
	a.communities_len = sizeof(in_comm);
	/* a community-set matches any of its members */
	p = pol("rule { match community \"cs\"\nadd community 1:1 3:3 "
	    "no-export\ndelete community 2:2\naccept }", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_ACCEPT);
	assert_true(o.modified);
	assert_int_equal(o.attrs.communities_len, 12);
	assert_int_equal(comm_at(&o.attrs, 0), 0x00010001);
	assert_int_equal(comm_at(&o.attrs, 1), 0x00030003);
	assert_int_equal(comm_at(&o.attrs, 2), 0xffffff01);
	/* the input is untouched */
	assert_memory_equal(a.communities, in_comm, sizeof(in_comm));
	q.kind = POL_COMM_STD;
	q.v[0] = 0x00030003;
	assert_true(pol_comm_present(&o.attrs, &q));
	assert_false(pol_comm_present(&a, &q));
	config_free(c);

	p = pol("rule { set community none }\ndefault accept", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(o.attrs.communities_len, 0);
	config_free(c);

	/* no match: the default, nothing changed */
	a.communities = NULL;
	a.communities_len = 0;
	p = pol("rule { match community \"cs\"\nset med 5\naccept }\n"
	    "default reject", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_REJECT);
	assert_false(o.modified);
	config_free(c);

	/* actions apply in the order written, the later on the earlier */
	a.communities = in_comm;
	a.communities_len = sizeof(in_comm);
	p = pol("rule { add community 5:5\ndelete community 5:5 1:1\n"
	    "accept }", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(o.attrs.communities_len, 4);
	assert_int_equal(comm_at(&o.attrs, 0), 0x00020002);
	config_free(c);
	p = pol("rule { delete community 2:2\nset community 7:7\n"
	    "add community 2:2\naccept }", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(o.attrs.communities_len, 8);
	assert_int_equal(comm_at(&o.attrs, 0), 0x00070007);
	assert_int_equal(comm_at(&o.attrs, 1), 0x00020002);
	config_free(c);
	pol_out_free(&o);
}

/* RFC 8092 large communities live in the unknown blob, in type order. */
static void
test_large(void **state)
{
	static const uint8_t unk[] = {
		0xc0, 16, 8, 0, 2, 0, 1, 0, 0, 0, 7,	/* ext community */
		0xe0, 99, 1, 0x42,			/* type 99 */
	};
	struct wren_config *c;
	const struct policy *p;
	const uint8_t *l;
	struct pol_comm q;
	struct rib_attrs a;
	struct pol_out o;
	size_t len;

	(void)state;
	memset(&o, 0, sizeof(o));
	attrs_init(&a);
	a.unknown = unk;
	a.unknown_len = sizeof(unk);
	p = pol("rule { add large-community 64512:1:2 2:2:2\naccept }", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(o.attrs.unknown_len, sizeof(unk) + 3 + 24);
	assert_memory_equal(o.attrs.unknown, unk, 11);
	assert_int_equal(o.attrs.unknown[11], 0xc0);
	assert_int_equal(o.attrs.unknown[12], 32);
	assert_int_equal(o.attrs.unknown[13], 24);
	assert_memory_equal(o.attrs.unknown + 11 + 27, unk + 11, 4);
	l = pol_large_find(&o.attrs, &len);
	assert_non_null(l);
	assert_int_equal(len, 24);
	q.kind = POL_COMM_LARGE;
	q.v[0] = 2, q.v[1] = 2, q.v[2] = 2;
	assert_true(pol_comm_present(&o.attrs, &q));
	config_free(c);

	/* match on the large community in a set, then delete it all */
	a = o.attrs;
	p = pol("rule { match community \"cs\"\ndelete large-community "
	    "2:2:2 64512:1:2\naccept }", &c);
	{
		struct pol_out o2;

		memset(&o2, 0, sizeof(o2));
		assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 0, &a,
		    &o2), POL_ACCEPT);
		assert_int_equal(o2.attrs.unknown_len, sizeof(unk));
		assert_memory_equal(o2.attrs.unknown, unk, sizeof(unk));
		assert_null(pol_large_find(&o2.attrs, &len));
		pol_out_free(&o2);
	}
	config_free(c);
	pol_out_free(&o);
}

static void
test_attrs_actions(void **state)
{
	struct wren_config *c;
	const struct policy *p;
	struct rib_attrs a;
	struct pol_out o;
	char buf[128];

	(void)state;
	memset(&o, 0, sizeof(o));
	attrs_init(&a);
	/* a rule without a verdict modifies and goes on */
	p = pol("rule { set local-pref 200\nset med 7 }\nrule { prepend 2\n"
	    "next-hop self\nset metric 55 }\nrule { match as-path length "
	    "eq 5\naccept }\ndefault reject", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	assert_true(o.attrs.flags & RIB_A_LOCAL_PREF);
	assert_int_equal(o.attrs.local_pref, 200);
	assert_true(o.attrs.flags & RIB_A_MED);
	assert_int_equal(o.attrs.med, 7);
	aspath_fmt(o.attrs.aspath, o.attrs.aspath_len, buf, sizeof(buf));
	assert_string_equal(buf, "64512 64512 65001 65002 65003");
	assert_string_equal(addr_ntop(&o.attrs.nexthop, buf, sizeof(buf)),
	    "198.18.0.1");
	assert_true(o.has_metric);
	assert_int_equal(o.metric, 55);
	/* the input path is untouched */
	assert_ptr_equal(a.aspath, path_3);
	config_free(c);
	/* two prepends in one evaluation add up */
	p = pol("rule { prepend 3 }\nrule { prepend 32\naccept }", &c);
	assert_int_equal(eval(p, "10.0.0.0/8", RIB_SRC_BGP, 1, &a, &o),
	    POL_ACCEPT);
	assert_int_equal(aspath_length(o.attrs.aspath, o.attrs.aspath_len),
	    3 + 35);
	config_free(c);
	pol_out_free(&o);
}

/* ---- aggregates, equality -------------------------------------------- */

static void
test_aggregate(void **state)
{
	struct wren_config *c;
	struct wr_prefix p;

	(void)state;
	c = tu_parse_ok(H "aggregate 10.244.1.0/26 visible 10.244.1.5/32\n"
	    "aggregate fd00:1::/122 no-blackhole\n");
	p = pfx("10.244.1.7/32");
	assert_true(pol_aggr_suppressed(c->aggregates, &p));
	p = pfx("10.244.1.5/32");	/* visible */
	assert_false(pol_aggr_suppressed(c->aggregates, &p));
	p = pfx("10.244.1.0/26");	/* the block itself */
	assert_false(pol_aggr_suppressed(c->aggregates, &p));
	p = pfx("10.244.1.64/32");	/* borrowed from another block */
	assert_false(pol_aggr_suppressed(c->aggregates, &p));
	p = pfx("fd00:1::5/128");
	assert_true(pol_aggr_suppressed(c->aggregates, &p));
	assert_true(c->aggregates->next->no_blackhole);
	assert_true(pol_aggr_equal(c->aggregates, c->aggregates));
	assert_false(pol_aggr_equal(c->aggregates, c->aggregates->next));
	config_free(c);
}

static void
test_equal(void **state)
{
	struct wren_config *a, *b, *d;

	(void)state;
	a = tu_parse_ok(H "prefix-set \"s\" { 10.0.0.0/8 }\npolicy \"p\" { "
	    "rule { match prefix-set \"s\"\naccept } }\n");
	b = tu_parse_ok(H "prefix-set \"s\" { 10.0.0.0/8 }\npolicy \"p\" {\n"
	    "rule {\nmatch prefix-set \"s\"\naccept\n}\ndefault reject\n}\n");
	d = tu_parse_ok(H "prefix-set \"s\" { 11.0.0.0/8 }\npolicy \"p\" { "
	    "rule { match prefix-set \"s\"\naccept } }\n");
	assert_true(policy_equal(a->policies, b->policies));
	/* a change in a set the policy uses is a change of the policy */
	assert_false(policy_equal(a->policies, d->policies));
	assert_false(policy_equal(a->policies, NULL));
	assert_true(policy_equal(NULL, NULL));
	config_free(a);
	config_free(b);
	config_free(d);
}

/* ---- the parser's errors ---------------------------------------------- */

static void
test_errors(void **state)
{
	(void)state;
	tu_parse_err(H "neighbor 10.0.0.2 {\nremote-as 1\nimport policy "
	    "\"x\"\n}\n", "t.conf:5: unknown policy \"x\"");
	tu_parse_err(H "policy \"p\" { rule { match prefix-set \"nope\" } }\n",
	    "t.conf:3: unknown prefix-set \"nope\"");
	tu_parse_err(H "policy \"p\" { rule { match community \"nope\" } }\n",
	    "t.conf:3: unknown community-set \"nope\"");
	tu_parse_err(H "prefix-set \"a\" { 10.0.0.1/8 }\n",
	    "t.conf:3: prefix-set: '10.0.0.1/8' has host bits set");
	tu_parse_err(H "prefix-set \"a\" { 10.0.0.0/8 le 33 }\n",
	    "prefix-set le: '33' is not a number from 8 to 32");
	tu_parse_err(H "prefix-set \"a\" { 10.0.0.0/24 ge 28 le 26 }\n",
	    "t.conf:3: prefix-set: ge 28 is more than le 26");
	/* an explicit "le" equal to the length is not "ge alone" */
	tu_parse_err(H "prefix-set \"a\" { 10.0.0.0/8 le 8 ge 10 }\n",
	    "t.conf:3: prefix-set: ge 10 is more than le 8");
	tu_parse_err(H "prefix-set \"a\" { 1.0.0.0/8 }\nprefix-set \"a\" { }\n",
	    "t.conf:4: prefix-set \"a\" already defined at line 3");
	tu_parse_err(H "community-set \"c\" { 70000:1 }\n",
	    "t.conf:3: community-set: '70000:1' is not a community");
	tu_parse_err(H "policy \"p\" { rule { add community 1:2:3 } }\n",
	    "t.conf:3: '1:2:3' is not a (A:B) community");
	tu_parse_err(H "policy \"p\" { rule { accept\nreject } }\n",
	    "t.conf:4: rule: a second accept or reject");
	tu_parse_err(H "policy \"p\" { rule { match source ospf } }\n",
	    "match source: expected 'kernel', 'static' or 'bgp'");
	tu_parse_err(H "policy \"p\" { default maybe }\n",
	    "default: expected 'accept' or 'reject'");
	tu_parse_err(H "aggregate 10.244.1.0/26 visible 10.244.2.5/32\n",
	    "t.conf:3: aggregate: visible 10.244.2.5/32 is not inside the "
	    "aggregate");
	tu_parse_err(H "static 10.96.0.0/12\n",
	    "t.conf:3: static: expected 'blackhole' or 'via'");
	tu_parse_err(H "static 10.96.0.0/12 blackhole\nstatic 10.96.0.0/12 via "
	    "10.0.0.9\n", "t.conf:4: static 10.96.0.0/12: already at line 3");
	tu_parse_err(H "static fd00::/8 via 10.0.0.1\n",
	    "t.conf:3: static: an IPv6 prefix needs an IPv6 next hop");
	tu_parse_err(H "kernel { install policy \"k\" }\n",
	    "t.conf:3: unknown policy \"k\"");
	tu_parse_err(H "static 10.1.0.0/16 blackhole\naggregate 10.1.0.0/16\n",
	    "t.conf:4: aggregate 10.1.0.0/16: also a static route (line 3)");
}

/* A group passes its policies on; a neighbor may override them. */
static void
test_group_policy(void **state)
{
	struct wren_config *c;

	(void)state;
	c = tu_parse_ok(H "policy \"a\" { default accept }\npolicy \"b\" { }\n"
	    "group \"g\" {\nremote-as 1\nimport policy \"a\"\nexport policy "
	    "\"a\"\nneighbor 10.0.0.2\nneighbor 10.0.0.3 { export policy "
	    "\"b\" }\n}\n");
	assert_string_equal(c->neighbors->import_pol->name, "a");
	assert_string_equal(c->neighbors->export_pol->name, "a");
	assert_string_equal(c->neighbors->next->import_pol->name, "a");
	assert_string_equal(c->neighbors->next->export_pol->name, "b");
	assert_int_equal(c->neighbors->next->export_pol->dflt, POL_REJECT);
	config_free(c);
}

/* ---- export (rib/export.c): RFC 8212, the policy, aggregates -------------- */

struct ecap {
	size_t			 an, wn;
	struct wr_prefix	 a[16];
	const struct rib_attrs	*attrs[16];
};

static int
ecap_withdraw(void *arg, const struct wr_prefix *p, size_t n)
{
	struct ecap *c = arg;

	(void)p;
	c->wn += n;
	return 0;
}

static int
ecap_announce(void *arg, const struct rib_attrs *a, const struct wr_prefix *p,
    size_t n)
{
	struct ecap *c = arg;
	size_t i;

	for (i = 0; i < n && c->an < 16; i++) {
		c->attrs[c->an] = a;
		c->a[c->an++] = p[i];
	}
	return 0;
}

static int
ecap_has(const struct ecap *c, const char *prefix)
{
	struct wr_prefix p = pfx(prefix);
	size_t i;

	for (i = 0; i < c->an; i++)
		if (prefix_cmp(&c->a[i], &p) == 0)
			return 1;
	return 0;
}

static void
edrain(struct rib_out *o, struct ecap *c)
{
	struct rib_out_cb cb;

	memset(c, 0, sizeof(*c));
	memset(&cb, 0, sizeof(cb));
	cb.withdraw = ecap_withdraw;
	cb.announce = ecap_announce;
	cb.arg = c;
	while (rib_out_drain(o, &cb, 1000) > 0)
		;
}

static void
test_export(void **state)
{
	struct wren_config *c;
	struct rib *rib;
	struct rib_source kern, stat;
	struct rib_export_params ep;
	struct policy_env env;
	struct rib_out *o;
	struct rib_attrs t;
	struct wr_prefix p;
	struct ecap cap;
	char buf[64];

	(void)state;
	c = tu_parse_ok(H "aggregate 10.244.1.0/26 visible 10.244.1.6/32\n"
	    "prefix-set \"pods\" { 10.244.0.0/16 le 32 }\npolicy \"out\" {\n"
	    "rule {\nmatch prefix-set \"pods\"\nadd community 64512:9\n"
	    "prepend 1\naccept\n}\n}\n");
	rib = rib_new();
	assert_non_null(rib);
	rib_source_init(&kern, RIB_SRC_KERNEL, "kernel");
	rib_source_init(&stat, RIB_SRC_STATIC, "static");
	memset(&t, 0, sizeof(t));
	t.origin = ORIGIN_IGP;
	p = pfx("10.244.1.5/32");	/* inside the block: kept home */
	rib_update(rib, &kern, &p, &t);
	p = pfx("10.244.1.6/32");	/* visible */
	rib_update(rib, &kern, &p, &t);
	p = pfx("10.244.9.5/32");	/* borrowed: goes out */
	rib_update(rib, &kern, &p, &t);
	p = pfx("10.244.1.0/26");	/* the block */
	rib_update(rib, &stat, &p, &t);
	p = pfx("192.0.2.0/24");	/* not in the policy */
	rib_update(rib, &stat, &p, &t);

	memset(&env, 0, sizeof(env));
	env.aggs = c->aggregates;
	memset(&ep, 0, sizeof(ep));
	ep.local_as = 64512;
	ep.ebgp = 1;
	ep.policy_required = 1;		/* RFC 8212 */
	ep.env = &env;
	assert_int_equal(addr_parse("198.18.0.1", &ep.nexthop_v4), 0);
	o = rib_out_new(rib, &ep);
	assert_non_null(o);
	rib_out_start(o, NULL, NULL);
	edrain(o, &cap);
	assert_int_equal(cap.an, 0);	/* no policy, eBGP: nothing */

	rib_out_set_policy(o, policy_find(c->policies, "out"), 1);
	edrain(o, &cap);
	assert_int_equal(cap.an, 3);
	assert_true(ecap_has(&cap, "10.244.1.0/26"));
	assert_true(ecap_has(&cap, "10.244.1.6/32"));
	assert_true(ecap_has(&cap, "10.244.9.5/32"));
	aspath_fmt(cap.attrs[0]->aspath, cap.attrs[0]->aspath_len, buf,
	    sizeof(buf));
	assert_string_equal(buf, "64512 64512");
	assert_int_equal(cap.attrs[0]->communities_len, 4);

	/* without the aggregates the hidden /32 goes out too */
	env.aggs = NULL;
	rib_out_set_policy(o, policy_find(c->policies, "out"), 1);
	edrain(o, &cap);
	assert_int_equal(cap.an, 1);
	assert_true(ecap_has(&cap, "10.244.1.5/32"));

	/* no policy again: everything is withdrawn (RFC 8212) */
	rib_out_set_policy(o, NULL, 1);
	edrain(o, &cap);
	assert_int_equal(cap.an, 0);
	assert_int_equal(cap.wn, 4);
	rib_out_free(o);
	rib_flush_source(rib, &kern);
	rib_flush_source(rib, &stat);
	rib_free(rib);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_prefix_set),
		cmocka_unit_test(test_aspath),
		cmocka_unit_test(test_source_type),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_communities),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_attrs_actions),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_group_policy),
		cmocka_unit_test(test_export),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
