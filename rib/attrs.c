/*
 * rib/attrs.c: interned path attribute sets.
 *
 * Every distinct attribute set exists once, in one allocation holding the
 * struct followed by its AS_PATH, COMMUNITIES, unknown-attribute and
 * CLUSTER_LIST bytes.
 * Paths point at the shared copy, so a 1M-prefix table from one peer costs
 * one attribute set per distinct UPDATE content, not per prefix, and export
 * can group prefixes by comparing pointers.
 *
 * The table is the one process-wide store of attribute sets (the only global
 * in rib/): sets are shared between every rib and every export.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rib.h"

#define ATTRS_MINBUCKETS	256

static struct {
	struct rib_attrs	**buckets;
	size_t			  nbuckets;	/* power of two, or 0 */
	size_t			  count;
	/* rib_attrs_id(): byid[id] for 1 <= id <= maxid; freed ids */
	struct rib_attrs	**byid;
	uint32_t		  maxid, idcap;
	uint32_t		 *freeids;
	uint32_t		  nfree, freecap;
} attrtab;

static uint32_t
attrs_mix(uint32_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	/* FNV-1a: simple, and good enough to spread these few bytes */
	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static size_t
attrs_nhlen(const struct wr_addr *a)
{
	if (a->af == AF_INET)
		return 4;
	if (a->af == AF_INET6)
		return 16;
	return 0;
}

/*
 * Canonical form of the fixed fields: a value whose flag is absent is zero,
 * so that two templates differing only in unused bytes intern to one set.
 */
static void
attrs_canon(struct rib_attrs *c, const struct rib_attrs *t)
{
	memset(c, 0, sizeof(*c));
	c->origin = t->origin;
	c->flags = t->flags;
	if (t->flags & RIB_A_MED)
		c->med = t->med;
	if (t->flags & RIB_A_LOCAL_PREF)
		c->local_pref = t->local_pref;
	if (t->flags & RIB_A_AGGREGATOR) {
		c->aggregator_as = t->aggregator_as;
		c->aggregator_id = t->aggregator_id;
	}
	c->nexthop.af = t->nexthop.af;
	memcpy(c->nexthop.b, t->nexthop.b, attrs_nhlen(&t->nexthop));
	c->aspath = t->aspath;
	c->aspath_len = t->aspath != NULL ? t->aspath_len : 0;
	c->communities = t->communities;
	c->communities_len = t->communities != NULL ? t->communities_len : 0;
	c->unknown = t->unknown;
	c->unknown_len = t->unknown != NULL ? t->unknown_len : 0;
	if (t->flags & RIB_A_ORIGINATOR)
		c->originator_id = t->originator_id;
	c->cluster_list = t->cluster_list;
	c->cluster_list_len = t->cluster_list != NULL ?
	    t->cluster_list_len : 0;
}

static uint32_t
attrs_hash(const struct rib_attrs *c)
{
	uint32_t h = 2166136261u;

	h = attrs_mix(h, &c->origin, sizeof(c->origin));
	h = attrs_mix(h, &c->flags, sizeof(c->flags));
	h = attrs_mix(h, &c->med, sizeof(c->med));
	h = attrs_mix(h, &c->local_pref, sizeof(c->local_pref));
	h = attrs_mix(h, &c->nexthop.af, sizeof(c->nexthop.af));
	h = attrs_mix(h, c->nexthop.b, attrs_nhlen(&c->nexthop));
	h = attrs_mix(h, &c->aggregator_as, sizeof(c->aggregator_as));
	h = attrs_mix(h, &c->aggregator_id, sizeof(c->aggregator_id));
	h = attrs_mix(h, &c->aspath_len, sizeof(c->aspath_len));
	h = attrs_mix(h, c->aspath, c->aspath_len);
	h = attrs_mix(h, &c->communities_len, sizeof(c->communities_len));
	h = attrs_mix(h, c->communities, c->communities_len);
	h = attrs_mix(h, &c->unknown_len, sizeof(c->unknown_len));
	h = attrs_mix(h, c->unknown, c->unknown_len);
	h = attrs_mix(h, &c->originator_id, sizeof(c->originator_id));
	h = attrs_mix(h, &c->cluster_list_len, sizeof(c->cluster_list_len));
	h = attrs_mix(h, c->cluster_list, c->cluster_list_len);
	return h;
}

static int
attrs_bytes_eq(const uint8_t *a, uint16_t alen, const uint8_t *b,
    uint16_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* a is interned, c canonical. */
static int
attrs_equal(const struct rib_attrs *a, const struct rib_attrs *c)
{
	return a->origin == c->origin && a->flags == c->flags &&
	    a->med == c->med && a->local_pref == c->local_pref &&
	    a->aggregator_as == c->aggregator_as &&
	    a->aggregator_id == c->aggregator_id &&
	    addr_cmp(&a->nexthop, &c->nexthop) == 0 &&
	    attrs_bytes_eq(a->aspath, a->aspath_len, c->aspath,
		c->aspath_len) &&
	    attrs_bytes_eq(a->communities, a->communities_len, c->communities,
		c->communities_len) &&
	    attrs_bytes_eq(a->unknown, a->unknown_len, c->unknown,
		c->unknown_len) &&
	    a->originator_id == c->originator_id &&
	    attrs_bytes_eq(a->cluster_list, a->cluster_list_len,
		c->cluster_list, c->cluster_list_len);
}

/* Double the table once it holds more sets than buckets; on failure keep
 * the old table, which still works, only with longer chains. */
static void
attrs_grow(void)
{
	struct rib_attrs **nb, *a, *next;
	size_t i, n;

	if (attrtab.count < attrtab.nbuckets)
		return;
	n = attrtab.nbuckets == 0 ? ATTRS_MINBUCKETS : attrtab.nbuckets * 2;
	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < attrtab.nbuckets; i++) {
		for (a = attrtab.buckets[i]; a != NULL; a = next) {
			next = a->hnext;
			a->hnext = nb[a->hash & (n - 1)];
			nb[a->hash & (n - 1)] = a;
		}
	}
	free(attrtab.buckets);
	attrtab.buckets = nb;
	attrtab.nbuckets = n;
}

/* Name a with the lowest free id (a freed one first). */
static int
attrs_id_new(struct rib_attrs *a)
{
	struct rib_attrs **v;
	uint32_t n;

	if (attrtab.nfree > 0) {
		a->id = attrtab.freeids[--attrtab.nfree];
	} else {
		if (attrtab.maxid + 1 >= attrtab.idcap) {
			n = attrtab.idcap == 0 ? 64 : attrtab.idcap * 2;
			if (n <= attrtab.idcap ||
			    (v = reallocarray(attrtab.byid, n, sizeof(*v))) ==
			    NULL)
				return -1;
			attrtab.byid = v;
			attrtab.idcap = n;
		}
		a->id = ++attrtab.maxid;
	}
	attrtab.byid[a->id] = a;
	return 0;
}

static void
attrs_id_free(struct rib_attrs *a)
{
	uint32_t *v, n;

	attrtab.byid[a->id] = NULL;
	if (attrtab.nfree == attrtab.freecap) {
		n = attrtab.freecap == 0 ? 64 : attrtab.freecap * 2;
		if ((v = reallocarray(attrtab.freeids, n, sizeof(*v))) == NULL)
			return;		/* the id is not used again */
		attrtab.freeids = v;
		attrtab.freecap = n;
	}
	attrtab.freeids[attrtab.nfree++] = a->id;
}

uint32_t
rib_attrs_id(const struct rib_attrs *a)
{
	return a != NULL ? a->id : 0;
}

const struct rib_attrs *
rib_attrs_byid(uint32_t id)
{
	if (id == 0)
		return NULL;
	if (id > attrtab.maxid || attrtab.byid[id] == NULL)
		fatalx("rib_attrs_byid: no set %u", id);
	return attrtab.byid[id];
}

static struct rib_attrs *
attrs_alloc(const struct rib_attrs *c)
{
	struct rib_attrs *a;
	uint8_t *p;

	a = malloc(sizeof(*a) + c->aspath_len + c->communities_len +
	    c->unknown_len + c->cluster_list_len);
	if (a == NULL)
		return NULL;
	*a = *c;
	/* the arrays always point into the set, even when empty */
	p = (uint8_t *)(a + 1);
	if (c->aspath_len > 0)
		memcpy(p, c->aspath, c->aspath_len);
	a->aspath = p;
	p += c->aspath_len;
	if (c->communities_len > 0)
		memcpy(p, c->communities, c->communities_len);
	a->communities = p;
	p += c->communities_len;
	if (c->unknown_len > 0)
		memcpy(p, c->unknown, c->unknown_len);
	a->unknown = p;
	p += c->unknown_len;
	if (c->cluster_list_len > 0)
		memcpy(p, c->cluster_list, c->cluster_list_len);
	a->cluster_list = p;
	a->refcnt = 1;
	return a;
}

const struct rib_attrs *
rib_attrs_intern(const struct rib_attrs *tmpl)
{
	struct rib_attrs c, *a;

	/*
	 * Already an interned set (rib_update() of what the session
	 * interned once per UPDATE): found by pointer in its own bucket, no
	 * hash over the content.  A template has refcnt 0, and a copy of a
	 * set is never in the table, so neither can match.
	 */
	if (tmpl->refcnt > 0 && attrtab.nbuckets > 0) {
		for (a = attrtab.buckets[tmpl->hash & (attrtab.nbuckets - 1)];
		    a != NULL; a = a->hnext) {
			if (a == tmpl) {
				a->refcnt++;
				return a;
			}
		}
	}
	attrs_canon(&c, tmpl);
	c.hash = attrs_hash(&c);
	if (attrtab.nbuckets > 0) {
		for (a = attrtab.buckets[c.hash & (attrtab.nbuckets - 1)];
		    a != NULL; a = a->hnext) {
			if (a->hash == c.hash && attrs_equal(a, &c)) {
				a->refcnt++;
				return a;
			}
		}
	}
	attrs_grow();
	if (attrtab.nbuckets == 0 || (a = attrs_alloc(&c)) == NULL)
		return NULL;
	if (attrs_id_new(a) == -1) {
		free(a);
		return NULL;
	}
	a->hnext = attrtab.buckets[c.hash & (attrtab.nbuckets - 1)];
	attrtab.buckets[c.hash & (attrtab.nbuckets - 1)] = a;
	attrtab.count++;
	return a;
}

const struct rib_attrs *
rib_attrs_ref(const struct rib_attrs *ca)
{
	struct rib_attrs *a = (struct rib_attrs *)ca;

	if (a->refcnt == 0 || a->refcnt == UINT32_MAX)
		fatalx("rib_attrs_ref: bad reference count %u", a->refcnt);
	a->refcnt++;
	return a;
}

static void
attrs_unlink(struct rib_attrs *a)
{
	struct rib_attrs **pp;

	pp = &attrtab.buckets[a->hash & (attrtab.nbuckets - 1)];
	while (*pp != a) {
		if (*pp == NULL)
			fatalx("rib_attrs_unref: set not interned");
		pp = &(*pp)->hnext;
	}
	*pp = a->hnext;
	attrtab.count--;
	attrs_id_free(a);
	/* an empty store holds no memory (and leak checkers stay quiet) */
	if (attrtab.count == 0) {
		free(attrtab.buckets);
		attrtab.buckets = NULL;
		attrtab.nbuckets = 0;
		free(attrtab.byid);
		free(attrtab.freeids);
		attrtab.byid = NULL;
		attrtab.freeids = NULL;
		attrtab.maxid = attrtab.idcap = 0;
		attrtab.nfree = attrtab.freecap = 0;
	}
}

void
rib_attrs_unref(const struct rib_attrs *ca)
{
	struct rib_attrs *a = (struct rib_attrs *)ca;

	if (a == NULL)
		return;
	if (a->refcnt == 0 || attrtab.nbuckets == 0)
		fatalx("rib_attrs_unref: set not referenced");
	if (--a->refcnt > 0)
		return;
	attrs_unlink(a);
	free(a);
}

size_t
rib_attrs_count(void)
{
	return attrtab.count;
}
