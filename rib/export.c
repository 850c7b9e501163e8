/*
 * rib/export.c: per-neighbor export, the Adj-RIB-Out (RFC 4271 §3.2, §9.2).
 *
 * A rib_out follows the Loc-RIB as a consumer.  A change only marks the
 * prefix dirty (a FIFO queue, each prefix at most once); what to send is
 * worked out when bgpd drains the queue, so a prefix that flaps ten times
 * between two drains costs one UPDATE, or none.
 *
 * Memory: one 28-byte record per prefix that is sent or queued (the prefix,
 * the id of the interned attribute set last sent, a queue link), in pages
 * of 1024, and
 * a 4-byte slot per record in an open-addressing hash (linear probing, at
 * most 3/4 full).  Records are named by 32-bit indices, not pointers.
 *
 * ADD-PATH send (RFC 7911) keeps the records and the queue; what went out
 * of a prefix is then a small array of (path id, attribute set) beside its
 * record, and the drain sends the difference with the eligible paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "log.h"

/* Well-known communities, RFC 1997 */
#define COMM_NO_EXPORT		0xffffff01u
#define COMM_NO_ADVERTISE	0xffffff02u
#define COMM_NO_EXPORT_SUBCONFED 0xffffff03u

#define OUT_PAGE_SHIFT	10
#define OUT_PAGE_SIZE	(1u << OUT_PAGE_SHIFT)
#define OUT_MINSLOTS	64u
#define OUT_BATCH	4096	/* prefixes looked at per round of a drain */
#define OUT_WORK_KEEP	64	/* work items kept after a drain */
#define OUT_NONE	0u	/* "no record" in links, slots: index + 1 */
/*
 * A slot holds a record's index + 1 in its low 26 bits and the top 6 bits
 * of the prefix's hash above them, so that a probe past another prefix's
 * slot rarely has to read that record (a cache miss each).
 */
#define OUT_REFBITS	26
#define OUT_REFMASK	((1u << OUT_REFBITS) - 1)
#define OUT_TAG(h)	((h) & ~OUT_REFMASK)
#define OUT_CACHE	256	/* rewritten attribute sets remembered */

struct out_rec {
	uint32_t		 sent;		/* rib_attrs_id() of the set
						   sent (referenced), 0: none */
	uint32_t		 qnext;		/* queue or free list link */
	uint8_t			 af;		/* 0: a free record */
	uint8_t			 len;
	uint8_t			 queued;
	uint8_t			 resend;	/* route refresh: send again */
	uint8_t			 addr[16];
};

struct out_item {
	uint32_t		 rec;		/* index + 1 */
	uint32_t		 seq;		/* order popped */
	uint32_t		 grp;		/* seq of the group's first */
	const struct rib_attrs	*target;	/* what to send, referenced */
	int			 todo;		/* 0 done, 1 withdraw, 2 announce */
	uint32_t		 id;		/* add-path: the path id */
};

/*
 * ADD-PATH (RFC 7911): what was sent of one prefix, path by path.  Kept
 * beside the records (indexed like them) only in add-path mode; the
 * record's own sent stays 0 then.
 */
struct out_ap {
	uint32_t		 id;		/* rib_path.tx_id; 0: the best of
						   a family without add-path */
	const struct rib_attrs	*sent;		/* interned, referenced */
};

struct out_apset {
	struct out_ap		*v;
	uint32_t		 n;
};

/*
 * Many prefixes share one attribute set, so the rewrite for this neighbor
 * (prepend, next hop, intern: a hash over the whole set) is remembered per
 * input set.  Both sets are referenced, so a pointer can never be reused for
 * other content while it is in here.
 */
struct out_cache {
	const struct rib_attrs	*in;
	const struct rib_attrs	*out;		/* NULL: not sendable */
	const struct rib_source	*refl;		/* reflected from, or NULL */
	uint32_t		 refl_id;	/* its BGP identifier then */
	uint8_t			 af;
	uint8_t			 local;
};

struct rib_out {
	struct rib			*rib;
	struct rib_export_params	 params;	/* as given to new */
	struct wr_addr			 nh_v4;		/* this session's */
	struct wr_addr			 nh_v6;
	struct rib_consumer		 consumer;
	int				 following;

	struct out_rec			**pages;
	uint32_t			 npages;
	uint32_t			 nrecs;		/* ever used */
	uint32_t			 freelist;
	uint32_t			*slots;
	uint32_t			 nslots;	/* power of two */
	uint32_t			 nlive;

	uint32_t			 qhead, qtail;
	size_t				 qlen;
	size_t				 nsent;

	uint8_t				*pbuf;		/* AS_PATH scratch */
	size_t				 pbuflen;
	uint8_t				*cbuf;		/* CLUSTER_LIST scratch */
	size_t				 cbuflen;
	struct out_item			*items;
	struct wr_prefix		*pfx;
	size_t				 nwork;
	struct out_cache		 cache[OUT_CACHE];

	/* add-path mode */
	int				 add_path;	/* RIB_AP_*, this session */
	struct out_apset		*apsets;	/* by record index */
	uint32_t			 napsets;
	struct out_ap			*aptgt;		/* one prefix's target */
	size_t				 naptgt;
	struct out_item			*apitems;	/* one round's work */
	struct wr_prefix		*appfx;
	uint32_t			*apids;
	size_t				 napwork;

	struct pol_out			 pol;		/* policy scratch */
};

/* The set a record says was sent, or NULL. */
static inline const struct rib_attrs *
out_rec_sent(const struct out_rec *r)
{
	return rib_attrs_byid(r->sent);
}

static inline struct out_rec *
out_rec(const struct rib_out *o, uint32_t ref)
{
	uint32_t i = ref - 1;

	return &o->pages[i >> OUT_PAGE_SHIFT][i & (OUT_PAGE_SIZE - 1)];
}

static unsigned
out_keylen(uint8_t af)
{
	return af == AF_INET6 ? 16 : 4;
}

static uint32_t
out_hash(uint8_t af, uint8_t len, const uint8_t *addr)
{
	uint64_t h = (uint64_t)af << 8 | len;
	unsigned i, n = out_keylen(af);
	uint32_t w;

	for (i = 0; i < n; i += 4) {
		memcpy(&w, addr + i, 4);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t
out_rec_hash(const struct out_rec *r)
{
	return out_hash(r->af, r->len, r->addr);
}

static int
out_rec_is(const struct out_rec *r, const struct wr_prefix *p)
{
	return r->af == p->addr.af && r->len == p->len &&
	    memcmp(r->addr, p->addr.b, out_keylen(r->af)) == 0;
}

static void
out_rec_prefix(const struct out_rec *r, struct wr_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->addr.af = r->af;
	p->len = r->len;
	memcpy(p->addr.b, r->addr, out_keylen(r->af));
}

/* Slot position of p's record, or of the empty slot where it would go. */
static uint32_t
out_slot(const struct rib_out *o, const struct wr_prefix *p)
{
	uint32_t mask = o->nslots - 1, i, h, s;

	h = out_hash(p->addr.af, p->len, p->addr.b);
	for (i = h & mask; (s = o->slots[i]) != OUT_NONE; i = (i + 1) & mask)
		if (OUT_TAG(s) == OUT_TAG(h) &&
		    out_rec_is(out_rec(o, s & OUT_REFMASK), p))
			break;
	return i;
}

static uint32_t
out_find(const struct rib_out *o, const struct wr_prefix *p)
{
	if (o->nslots == 0)
		return OUT_NONE;
	return o->slots[out_slot(o, p)] & OUT_REFMASK;
}

static void
out_rehash(struct rib_out *o)
{
	uint32_t *old = o->slots, oldn = o->nslots, n, ref, h, j;
	const struct out_rec *r;

	n = oldn == 0 ? OUT_MINSLOTS : oldn * 2;
	if (n == 0 || (o->slots = calloc(n, sizeof(*o->slots))) == NULL)
		fatal("rib_out: hash table");
	o->nslots = n;
	/*
	 * Walk the records in their pages, not the old slots: sequential
	 * reads instead of a cache miss per record.  Every live record
	 * (af set) is in the table; free ones have af 0.
	 */
	for (ref = 1; ref <= o->nrecs; ref++) {
		r = out_rec(o, ref);
		if (r->af == 0)
			continue;
		h = out_rec_hash(r);
		for (j = h & (n - 1); o->slots[j] != OUT_NONE;
		    j = (j + 1) & (n - 1))
			;
		o->slots[j] = OUT_TAG(h) | ref;
	}
	free(old);
}

static uint32_t
out_rec_alloc(struct rib_out *o)
{
	struct out_rec **pages;
	uint32_t ref;

	if ((ref = o->freelist) != OUT_NONE) {
		o->freelist = out_rec(o, ref)->qnext;
		return ref;
	}
	if (o->nrecs == OUT_REFMASK)
		fatalx("rib_out: too many prefixes");
	if ((o->nrecs >> OUT_PAGE_SHIFT) == o->npages) {
		pages = reallocarray(o->pages, o->npages + 1, sizeof(*pages));
		if (pages == NULL)
			fatal("rib_out: pages");
		o->pages = pages;
		pages[o->npages] = calloc(OUT_PAGE_SIZE, sizeof(struct out_rec));
		if (pages[o->npages] == NULL)
			fatal("rib_out: page");
		o->npages++;
	}
	return ++o->nrecs;
}

/* The record of p, created (not queued, nothing sent) if need be. */
static uint32_t
out_get(struct rib_out *o, const struct wr_prefix *p)
{
	struct out_rec *r;
	uint32_t ref, i;

	/* one probe sequence, whether the record is there or not */
	if ((uint64_t)(o->nlive + 1) * 4 > (uint64_t)o->nslots * 3)
		out_rehash(o);
	i = out_slot(o, p);
	if (o->slots[i] != OUT_NONE)
		return o->slots[i] & OUT_REFMASK;
	ref = out_rec_alloc(o);
	r = out_rec(o, ref);
	memset(r, 0, sizeof(*r));
	r->af = p->addr.af;
	r->len = p->len;
	memcpy(r->addr, p->addr.b, out_keylen(r->af));
	o->slots[i] = OUT_TAG(out_rec_hash(r)) | ref;
	o->nlive++;
	return ref;
}

/* Remove a record that is neither sent nor queued (Knuth 6.4 algorithm R:
 * shift back the entries that probed past the freed slot). */
static void
out_rec_free(struct rib_out *o, uint32_t ref)
{
	struct out_rec *r = out_rec(o, ref);
	uint32_t mask = o->nslots - 1, i, j, k;


	i = out_rec_hash(r) & mask;
	while ((o->slots[i] & OUT_REFMASK) != ref)
		i = (i + 1) & mask;
	o->slots[i] = OUT_NONE;
	for (j = (i + 1) & mask; o->slots[j] != OUT_NONE; j = (j + 1) & mask) {
		k = out_rec_hash(out_rec(o, o->slots[j] & OUT_REFMASK)) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		o->slots[i] = o->slots[j];
		o->slots[j] = OUT_NONE;
		i = j;
	}
	r->af = 0;
	r->qnext = o->freelist;
	o->freelist = ref;
	o->nlive--;
}

static void
out_enqueue_ref(struct rib_out *o, uint32_t ref)
{
	struct out_rec *r = out_rec(o, ref);

	if (r->queued)
		return;
	r->queued = 1;
	r->qnext = OUT_NONE;
	if (o->qtail != OUT_NONE)
		out_rec(o, o->qtail)->qnext = ref;
	else
		o->qhead = ref;
	o->qtail = ref;
	if (++o->qlen == 1 && o->params.kick != NULL)
		o->params.kick(o->params.kick_arg);
}

static void
out_enqueue(struct rib_out *o, const struct wr_prefix *p)
{
	out_enqueue_ref(o, out_get(o, p));
}

static uint32_t
out_dequeue(struct rib_out *o)
{
	uint32_t ref = o->qhead;
	struct out_rec *r = out_rec(o, ref);

	o->qhead = r->qnext;
	if (o->qhead == OUT_NONE)
		o->qtail = OUT_NONE;
	r->queued = 0;
	r->qnext = OUT_NONE;
	o->qlen--;
	return ref;
}

/* Put back at the head of the queue, before anything queued since. */
static void
out_requeue_front(struct rib_out *o, uint32_t ref)
{
	struct out_rec *r = out_rec(o, ref);

	if (r->queued)
		return;
	r->queued = 1;
	r->qnext = o->qhead;
	o->qhead = ref;
	if (o->qtail == OUT_NONE)
		o->qtail = ref;
	o->qlen++;
}

/*
 * A change this neighbor can have no part in (the best path came from it,
 * or is iBGP for iBGP, RFC 4271 §9.2) and no record (nothing sent, nothing
 * queued): the drain would plan nothing and free the record, so do not
 * make one.  With many iBGP feeds this spares each of them a hash insert,
 * a table lookup and a free per prefix (the ingest benchmark).
 */
static int	out_blocked(const struct rib_out *, const struct rib_path *);

static int
out_irrelevant(const struct rib_out *o, const struct rib_entry *e)
{
	const struct rib_path *best = rib_entry_best(e);

	if (o->params.add_path || (best != NULL && !out_blocked(o, best)))
		return 0;
	return out_find(o, &e->prefix) == OUT_NONE;
}

static void
out_changed(void *arg, const struct rib_entry *e)
{
	if (out_irrelevant(arg, e))
		return;
	out_enqueue(arg, &e->prefix);
}

struct rib_out *
rib_out_new(struct rib *rib, const struct rib_export_params *params)
{
	struct rib_out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->rib = rib;
	o->params = *params;
	o->consumer.changed = out_changed;
	o->consumer.arg = o;
	o->add_path = params->add_path;
	return o;
}

void
rib_out_free(struct rib_out *o)
{
	if (o == NULL)
		return;
	rib_out_stop(o);
	free(o);
}

static int
out_start_cb(const struct rib_entry *e, void *arg)
{
	out_enqueue(arg, &e->prefix);
	return 0;
}

void
rib_out_start(struct rib_out *o, const struct wr_addr *nh_v4,
    const struct wr_addr *nh_v6)
{
	rib_out_stop(o);
	/* NULL: the session has no address of its own there, use params' */
	o->nh_v4 = nh_v4 != NULL ? *nh_v4 : o->params.nexthop_v4;
	o->nh_v6 = nh_v6 != NULL ? *nh_v6 : o->params.nexthop_v6;
	o->params.add_path = o->add_path;
	/* RFC 7911: every path counts, not only the best one */
	o->consumer.every_change = o->add_path != 0;
	rib_consumer_add(o->rib, &o->consumer);
	o->following = 1;
	/* RFC 4271 §9.2: the whole Loc-RIB, as the session comes up */
	rib_walk(o->rib, out_start_cb, o);
}

void
rib_out_set_add_path(struct rib_out *o, int mask)
{
	o->add_path = mask;
}

static void
out_ap_free(struct rib_out *o)
{
	uint32_t i, j;

	for (i = 0; i < o->napsets; i++) {
		for (j = 0; j < o->apsets[i].n; j++)
			rib_attrs_unref(o->apsets[i].v[j].sent);
		free(o->apsets[i].v);
	}
	free(o->apsets);
	free(o->aptgt);
	free(o->apitems);
	free(o->appfx);
	free(o->apids);
	o->apsets = NULL;
	o->aptgt = NULL;
	o->apitems = NULL;
	o->appfx = NULL;
	o->apids = NULL;
	o->napsets = 0;
	o->naptgt = o->napwork = 0;
}

void
rib_out_stop(struct rib_out *o)
{
	uint32_t i;

	if (o->following)
		rib_consumer_remove(o->rib, &o->consumer);
	o->following = 0;
	for (i = 0; i < o->nrecs; i++)
		rib_attrs_unref(out_rec_sent(out_rec(o, i + 1)));
	for (i = 0; i < OUT_CACHE; i++) {
		rib_attrs_unref(o->cache[i].in);
		rib_attrs_unref(o->cache[i].out);
	}
	memset(o->cache, 0, sizeof(o->cache));
	out_ap_free(o);
	pol_out_free(&o->pol);
	for (i = 0; i < o->npages; i++)
		free(o->pages[i]);
	free(o->pages);
	free(o->slots);
	free(o->pbuf);
	free(o->cbuf);
	free(o->items);
	free(o->pfx);
	o->pages = NULL;
	o->slots = NULL;
	o->pbuf = NULL;
	o->cbuf = NULL;
	o->cbuflen = 0;
	o->items = NULL;
	o->pfx = NULL;
	o->npages = o->nrecs = o->freelist = o->nslots = o->nlive = 0;
	o->qhead = o->qtail = OUT_NONE;
	o->qlen = o->nsent = o->pbuflen = o->nwork = 0;
}

void
rib_out_set_next_hop(struct rib_out *o, int next_hop)
{
	uint32_t i;

	if (o->params.next_hop == next_hop)
		return;
	o->params.next_hop = next_hop;
	for (i = 0; i < OUT_CACHE; i++) {
		rib_attrs_unref(o->cache[i].in);
		rib_attrs_unref(o->cache[i].out);
	}
	memset(o->cache, 0, sizeof(o->cache));
	/* Every prefix is planned again; only real changes are sent. */
	if (o->following)
		rib_walk(o->rib, out_start_cb, o);
}

void
rib_out_set_policy(struct rib_out *o, const struct policy *pol, int replan)
{
	o->params.policy = pol;
	/* the cache holds the rewrite before the policy: it stays valid */
	if (replan && o->following)
		rib_walk(o->rib, out_start_cb, o);
}

void
rib_out_refresh(struct rib_out *o)
{
	struct out_rec *r;
	uint32_t i;

	/*
	 * Everything sent goes out again; what is queued (withdrawals
	 * among it) stays queued, so nothing the neighbor must forget is
	 * lost.  What was never sent is either queued or not for it.
	 */
	for (i = 0; i < o->nrecs; i++) {
		r = out_rec(o, i + 1);
		if (r->af == 0 || (r->sent == 0 && (i >= o->napsets ||
		    o->apsets[i].n == 0)))
			continue;
		r->resend = 1;
		out_enqueue_ref(o, i + 1);
	}
}

size_t
rib_out_pending(const struct rib_out *o)
{
	return o->qlen;
}

size_t
rib_out_sent_count(const struct rib_out *o)
{
	return o->nsent;
}

/* RFC 1997: NO_ADVERTISE goes to no peer, NO_EXPORT (and, as Wren runs no
 * confederation, NO_EXPORT_SUBCONFED) to no eBGP peer. */
static int
out_community_blocks(const struct rib_attrs *a, int ebgp)
{
	const uint8_t *c = a->communities;
	uint32_t v;
	size_t i;

	for (i = 0; i + 4 <= a->communities_len; i += 4) {
		v = (uint32_t)c[i] << 24 | (uint32_t)c[i + 1] << 16 |
		    (uint32_t)c[i + 2] << 8 | c[i + 3];
		if (v == COMM_NO_ADVERTISE)
			return 1;
		if (ebgp && (v == COMM_NO_EXPORT ||
		    v == COMM_NO_EXPORT_SUBCONFED))
			return 1;
	}
	return 0;
}

/* From an iBGP peer to an iBGP peer: only by reflection (RFC 4456). */
static int
out_ibgp_to_ibgp(const struct rib_out *o, const struct rib_source *src)
{
	return src->type == RIB_SRC_BGP && !src->ebgp && !o->params.ebgp;
}

static int
out_blocked(const struct rib_out *o, const struct rib_path *best)
{
	const struct rib_source *src = best->src;

	/* never back to the neighbor it came from */
	if (src == o->params.self)
		return 1;
	/* RFC 4271 §9.2: a route learned from an iBGP peer is not passed on
	 * to another iBGP peer (the full mesh already has it).  RFC 4456 §6:
	 * a reflector passes a client's route to every iBGP peer, a
	 * non-client's to the clients only. */
	if (out_ibgp_to_ibgp(o, src) && !src->rr_client &&
	    !o->params.rr_client)
		return 1;
	return out_community_blocks(best->attrs, o->params.ebgp);
}

/*
 * RFC 4456 §8: a reflected route gets an ORIGINATOR_ID (the BGP
 * identifier of the peer it came from) unless it has one, and our
 * CLUSTER_ID in front of its CLUSTER_LIST.
 */
static int
out_reflect(struct rib_out *o, const struct rib_source *src,
    struct rib_attrs *t)
{
	size_t need = (size_t)t->cluster_list_len + 4;
	uint32_t id = o->params.cluster_id;
	uint8_t *nb;

	if (need > UINT16_MAX - 8)
		return -1;
	if (!(t->flags & RIB_A_ORIGINATOR)) {
		t->flags |= RIB_A_ORIGINATOR;
		t->originator_id = src->bgp_id;
	}
	if (need > o->cbuflen) {
		if ((nb = realloc(o->cbuf, need)) == NULL)
			fatal("rib_out: CLUSTER_LIST buffer");
		o->cbuf = nb;
		o->cbuflen = need;
	}
	o->cbuf[0] = (uint8_t)(id >> 24);
	o->cbuf[1] = (uint8_t)(id >> 16);
	o->cbuf[2] = (uint8_t)(id >> 8);
	o->cbuf[3] = (uint8_t)id;
	if (t->cluster_list_len > 0)
		memcpy(o->cbuf + 4, t->cluster_list, t->cluster_list_len);
	t->cluster_list = o->cbuf;
	t->cluster_list_len = (uint16_t)need;
	return 0;
}

/* RFC 4456 §8: both attributes are optional non-transitive, for iBGP. */
static void
out_strip_reflection(struct rib_attrs *t)
{
	t->flags &= ~RIB_A_ORIGINATOR;
	t->originator_id = 0;
	t->cluster_list = NULL;
	t->cluster_list_len = 0;
}

/* RFC 4271 §5.1.2: an eBGP speaker prepends its own AS. */
static int
out_prepend(struct rib_out *o, struct rib_attrs *t)
{
	size_t need = (size_t)t->aspath_len + 6;
	uint8_t *nb;
	int n;

	if (need > o->pbuflen) {
		if ((nb = realloc(o->pbuf, need)) == NULL)
			fatal("rib_out: AS_PATH buffer");
		o->pbuf = nb;
		o->pbuflen = need;
	}
	n = aspath_prepend(t->aspath, t->aspath_len, o->params.local_as,
	    o->pbuf, o->pbuflen);
	if (n < 0 || n > UINT16_MAX)
		return -1;	/* no longer fits the attribute */
	t->aspath = o->pbuf;
	t->aspath_len = (uint16_t)n;
	return 0;
}

/* The attributes for this neighbor as a template in t; -1: not sendable. */
/*
 * RFC 4271 §5.1.3: eBGP gets our address as next hop; over iBGP a BGP next
 * hop passes unchanged, while a kernel or static route has none the peer
 * could use: ours.  RIB_NH_SELF: always ours; RIB_NH_KEEP: a BGP next hop
 * is never rewritten, towards eBGP too (a third-party next hop, §5.1.3).
 */
static int
out_nexthop(const struct rib_out *o, int local, const struct wr_addr *self,
    struct rib_attrs *t)
{
	int nh = o->params.next_hop;

	if (!local && nh != RIB_NH_SELF && (!o->params.ebgp ||
	    nh == RIB_NH_KEEP))
		return 0;
	t->nexthop = *self;
	return addr_is_set(self) ? 0 : -1;
}

/*
 * A route of ours (kernel, static) gets our address as next hop; a static
 * route "via" a next hop passes it on like a BGP one.
 */
static int
out_is_local(const struct rib_path *best)
{
	return best->src->type == RIB_SRC_KERNEL ||
	    (best->src->type == RIB_SRC_STATIC &&
	    !addr_is_set(&best->attrs->nexthop));
}

static int
out_rewrite(struct rib_out *o, const struct rib_entry *e,
    const struct rib_path *best, struct rib_attrs *t)
{
	int local = out_is_local(best);
	const struct wr_addr *self = e->prefix.addr.af == AF_INET6 ?
	    &o->nh_v6 : &o->nh_v4;

	*t = *best->attrs;
	t->hnext = NULL;
	t->refcnt = 0;
	t->hash = 0;
	if (o->params.ebgp) {
		out_strip_reflection(t);
		if (out_prepend(o, t) == -1)
			return -1;
		/* RFC 4271 §5.1.3: next hop self; §5.1.5: no LOCAL_PREF */
		t->flags &= ~RIB_A_LOCAL_PREF;
		t->local_pref = 0;
		/* RFC 4271 §5.1.4: a MED learned from a neighbor AS is not
		 * propagated to other neighboring ASes; our own one is */
		if (!local) {
			t->flags &= ~RIB_A_MED;
			t->med = 0;
		}
		return out_nexthop(o, local, self, t);
	}
	/* RFC 4271 §5.1.5: LOCAL_PREF is mandatory towards iBGP peers */
	if (!(t->flags & RIB_A_LOCAL_PREF)) {
		t->flags |= RIB_A_LOCAL_PREF;
		t->local_pref = LOCAL_PREF_DEFAULT;
	}
	if (out_ibgp_to_ibgp(o, best->src) &&
	    out_reflect(o, best->src, t) == -1)
		return -1;
	return out_nexthop(o, local, self, t);
}

static const struct rib_attrs *
out_rewrite_interned(struct rib_out *o, const struct rib_entry *e,
    const struct rib_path *best)
{
	const struct rib_attrs *a;
	struct rib_attrs t;

	if (out_rewrite(o, e, best, &t) == -1)
		return NULL;
	if ((a = rib_attrs_intern(&t)) == NULL)
		fatal("rib_out: attributes");
	return a;
}

/* The RFC 4271 rewrite of path best of e for this neighbor, cached. */
static const struct rib_attrs *
out_target_base(struct rib_out *o, const struct rib_entry *e,
    const struct rib_path *best)
{
	const struct rib_source *refl;
	const struct rib_attrs *a;
	struct out_cache *c;
	uint8_t af = e->prefix.addr.af, local;
	uint64_t h;

	local = (uint8_t)out_is_local(best);
	/* a reflected route's rewrite depends on where it came from too */
	refl = out_ibgp_to_ibgp(o, best->src) ? best->src : NULL;
	h = ((uintptr_t)best->attrs ^ (uintptr_t)refl ^ af ^ local) *
	    0x9e3779b97f4a7c15ull;
	c = &o->cache[h >> 56 & (OUT_CACHE - 1)];
	if (c->in == best->attrs && c->refl == refl && c->af == af &&
	    c->local == local && (refl == NULL || c->refl_id == refl->bgp_id))
		return c->out != NULL ? rib_attrs_ref(c->out) : NULL;
	a = out_rewrite_interned(o, e, best);
	rib_attrs_unref(c->in);
	rib_attrs_unref(c->out);
	c->in = rib_attrs_ref(best->attrs);
	c->out = a != NULL ? rib_attrs_ref(a) : NULL;
	c->refl = refl;
	c->refl_id = refl != NULL ? refl->bgp_id : 0;
	c->af = af;
	c->local = local;
	return a;
}

/*
 * The export policy on the rewritten set a (referenced; released here when
 * the result is another set or nothing).  Prepending applies towards eBGP
 * only: an iBGP neighbor would take our own AS for a loop.
 */
static const struct rib_attrs *
out_policy(struct rib_out *o, const struct rib_entry *e,
    const struct rib_path *best, const struct rib_attrs *a)
{
	const struct rib_attrs *r;
	struct pol_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.prefix = &e->prefix;
	ctx.source = (int)best->src->type;
	ctx.ebgp = o->params.ebgp;
	ctx.prepend_as = o->params.ebgp ? o->params.local_as : 0;
	ctx.self = e->prefix.addr.af == AF_INET6 ? &o->nh_v6 : &o->nh_v4;
	ctx.env = o->params.env;
	if (policy_eval(o->params.policy, &ctx, a, &o->pol) != POL_ACCEPT) {
		rib_attrs_unref(a);
		return NULL;
	}
	if (!o->pol.modified)
		return a;
	if ((r = rib_attrs_intern(&o->pol.attrs)) == NULL)
		fatal("rib_out: attributes");
	rib_attrs_unref(a);
	return r;
}

/* What this neighbor should have of path best of e: an interned set
 * (referenced), or NULL for nothing. */
static const struct rib_attrs *
out_target_path(struct rib_out *o, const struct rib_entry *e,
    const struct rib_path *best)
{
	const struct policy_env *env = o->params.env;
	const struct rib_attrs *a;

	if (best == NULL || out_blocked(o, best))
		return NULL;
	/* an aggregate we announce stands for the local routes inside it */
	if (best->src->type != RIB_SRC_BGP && env != NULL &&
	    pol_aggr_suppressed(env->aggs, &e->prefix))
		return NULL;
	/* RFC 8212 §3: no policy, no routes to an external neighbor */
	if (o->params.policy == NULL && o->params.policy_required)
		return NULL;
	if ((a = out_target_base(o, e, best)) == NULL ||
	    o->params.policy == NULL)
		return a;
	return out_policy(o, e, best, a);
}

/* What this neighbor should have for e: an interned set (referenced), or
 * NULL for nothing. */
static const struct rib_attrs *
out_target(struct rib_out *o, const struct rib_entry *e)
{
	return out_target_path(o, e, rib_entry_best(e));
}

enum { OUT_DONE, OUT_WITHDRAW, OUT_ANNOUNCE };

static void
out_plan(struct rib_out *o, struct out_item *it)
{
	const struct rib_entry *e;
	const struct rib_attrs *t;
	struct out_rec *r;
	struct wr_prefix p;

	out_rec_prefix(out_rec(o, it->rec), &p);
	e = rib_lookup(o->rib, &p);
	t = e != NULL ? out_target(o, e) : NULL;
	r = out_rec(o, it->rec);
	it->target = NULL;
	if (t == out_rec_sent(r) && r->resend && t != NULL) {
		/* RFC 2918 §4: the neighbor asked for it again. */
		r->resend = 0;
		o->nsent--;
		r->sent = 0;
		rib_attrs_unref(t);
		it->todo = OUT_ANNOUNCE;
		it->target = t;
	} else if (t == out_rec_sent(r)) {
		rib_attrs_unref(t);
		it->todo = OUT_DONE;
	} else if (t == NULL) {
		it->todo = OUT_WITHDRAW;
	} else {
		it->todo = OUT_ANNOUNCE;
		it->target = t;
	}
}

/* Record in the Adj-RIB-Out that it->target (NULL: a withdrawal) went out. */
static void
out_sent(struct rib_out *o, struct out_item *it)
{
	struct out_rec *r = out_rec(o, it->rec);

	if (r->sent != 0)
		o->nsent--;
	rib_attrs_unref(out_rec_sent(r));
	r->sent = rib_attrs_id(it->target);
	if (r->sent != 0)
		o->nsent++;
	it->target = NULL;
	it->todo = OUT_DONE;
}

static int
out_withdraws(struct rib_out *o, const struct rib_out_cb *cb,
    struct out_item *it, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (it[i].todo == OUT_WITHDRAW)
			out_rec_prefix(out_rec(o, it[i].rec), &o->pfx[k++]);
	if (k == 0)
		return 0;
	if (cb->withdraw(cb->arg, o->pfx, k) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (it[i].todo == OUT_WITHDRAW)
			out_sent(o, &it[i]);
	return 0;
}

/* Announcements first, by attribute set, queue order within. */
static int
out_target_cmp(const void *va, const void *vb)
{
	const struct out_item *a = va, *b = vb;
	uintptr_t pa = (uintptr_t)a->target, pb = (uintptr_t)b->target;
	int aa = a->todo == OUT_ANNOUNCE, ab = b->todo == OUT_ANNOUNCE;

	if (aa != ab)
		return ab - aa;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Announcements first, the groups in the order of their first prefix. */
static int
out_grp_cmp(const void *va, const void *vb)
{
	const struct out_item *a = va, *b = vb;
	int aa = a->todo == OUT_ANNOUNCE, ab = b->todo == OUT_ANNOUNCE;

	if (aa != ab)
		return ab - aa;
	/* only announcements have a group (t43: valgrind) */
	if (aa && a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static int
out_seq_cmp(const void *va, const void *vb)
{
	const struct out_item *a = va, *b = vb;

	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/*
 * Already in the order out_group() makes (items in queue order, the
 * announcements first, each attribute set in one run)?  The common case of
 * a burst from one neighbor; checked for up to 8 runs, else sorted.
 */
static int
out_grouped(const struct out_item *it, size_t n)
{
	const struct rib_attrs *runs[8];
	size_t i, k, nruns = 0;

	for (i = 0; i < n && it[i].todo == OUT_ANNOUNCE; i++) {
		if (i > 0 && it[i].target == it[i - 1].target)
			continue;
		for (k = 0; k < nruns; k++)
			if (runs[k] == it[i].target)
				return 0;
		if (nruns == 8)
			return 0;
		runs[nruns++] = it[i].target;
	}
	for (; i < n; i++)
		if (it[i].todo == OUT_ANNOUNCE)
			return 0;
	return 1;
}

/*
 * Put the announcements first, grouped by attribute set, the groups in
 * queue order, so that what changed first goes out first whatever the
 * allocator did.
 */
static void
out_group(struct out_item *it, size_t n)
{
	size_t i, j;

	if (out_grouped(it, n))
		return;

	qsort(it, n, sizeof(*it), out_target_cmp);
	for (i = 0; i < n && it[i].todo == OUT_ANNOUNCE; i = j)
		for (j = i; j < n && it[j].todo == OUT_ANNOUNCE &&
		    it[j].target == it[i].target; j++)
			it[j].grp = it[i].seq;
	qsort(it, n, sizeof(*it), out_grp_cmp);
}

static int
out_announces(struct rib_out *o, const struct rib_out_cb *cb,
    struct out_item *it, size_t n)
{
	size_t i, j, k;

	out_group(it, n);
	for (i = 0; i < n && it[i].todo == OUT_ANNOUNCE; i = j) {
		for (j = i; j < n && it[j].todo == OUT_ANNOUNCE &&
		    it[j].target == it[i].target; j++)
			out_rec_prefix(out_rec(o, it[j].rec), &o->pfx[j - i]);
		if (cb->announce(cb->arg, it[i].target, o->pfx, j - i) == -1)
			return -1;
		for (k = i; k < j; k++)
			out_sent(o, &it[k]);
	}
	return 0;
}

/* A callback refused: what was not delivered goes back to the queue head,
 * in the order it was popped. */
static void
out_undo(struct rib_out *o, struct out_item *it, size_t n)
{
	size_t i;

	qsort(it, n, sizeof(*it), out_seq_cmp);
	for (i = n; i > 0; i--) {
		if (it[i - 1].todo == OUT_DONE)
			continue;
		rib_attrs_unref(it[i - 1].target);
		it[i - 1].target = NULL;
		it[i - 1].todo = OUT_DONE;
		out_requeue_front(o, it[i - 1].rec);
	}
}

/*
 * ADD-PATH send (RFC 7911).  A record still stands for a prefix and is
 * what is queued; its out_apset says which path ids went out with which
 * attributes.  The plan of a dirty prefix is the set of its paths this
 * neighbor may have, each by the rules above, diffed against that.
 */
static int
out_ap_on(const struct rib_out *o, uint8_t af)
{
	return (o->params.add_path & (af == AF_INET6 ? RIB_AP_V6 :
	    RIB_AP_V4)) != 0;
}

static struct out_apset *
out_apset(struct rib_out *o, uint32_t ref)
{
	struct out_apset *v;
	uint32_t n;

	if (ref > o->napsets) {
		n = o->nrecs > ref ? o->nrecs : ref;
		if ((v = reallocarray(o->apsets, n, sizeof(*v))) == NULL)
			fatal("rib_out: add-path");
		memset(v + o->napsets, 0, (n - o->napsets) * sizeof(*v));
		o->apsets = v;
		o->napsets = n;
	}
	return &o->apsets[ref - 1];
}

static struct out_ap *
out_ap_find(const struct out_apset *as, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < as->n; i++)
		if (as->v[i].id == id)
			return &as->v[i];
	return NULL;
}

/* Room for n more targets, and n more work items in this round. */
static void
out_ap_reserve(struct rib_out *o, size_t ntgt, size_t nitems)
{
	size_t n;

	if (ntgt > o->naptgt) {
		n = ntgt * 2;
		o->aptgt = reallocarray(o->aptgt, n, sizeof(*o->aptgt));
		if (o->aptgt == NULL)
			fatal("rib_out: add-path");
		o->naptgt = n;
	}
	if (nitems > o->napwork) {
		n = nitems * 2;
		o->apitems = reallocarray(o->apitems, n, sizeof(*o->apitems));
		o->appfx = reallocarray(o->appfx, n, sizeof(*o->appfx));
		o->apids = reallocarray(o->apids, n, sizeof(*o->apids));
		if (o->apitems == NULL || o->appfx == NULL || o->apids == NULL)
			fatal("rib_out: add-path");
		o->napwork = n;
	}
}

/*
 * Every path of e this neighbor may have, in o->aptgt (attributes
 * referenced): each by the rules of out_target(), so never a path back to
 * where it came from, split horizon and reflection by the path's own
 * source.  A family without add-path gets the best path only, as id 0.
 */
static size_t
out_ap_targets(struct rib_out *o, const struct rib_entry *e)
{
	const struct rib_path *q;
	const struct rib_attrs *a;
	size_t n = 0;

	if (e == NULL)
		return 0;
	if (!out_ap_on(o, e->prefix.addr.af)) {
		if ((a = out_target(o, e)) == NULL)
			return 0;
		out_ap_reserve(o, 1, 0);
		o->aptgt[0].id = 0;
		o->aptgt[0].sent = a;
		return 1;
	}
	for (q = e->paths; q != NULL; q = q->next) {
		if ((a = out_target_path(o, e, q)) == NULL)
			continue;
		out_ap_reserve(o, n + 1, 0);
		o->aptgt[n].id = q->tx_id;
		o->aptgt[n++].sent = a;
	}
	return n;
}

static void
out_ap_item(struct rib_out *o, size_t *nit, uint32_t ref, uint32_t id,
    const struct rib_attrs *t)
{
	struct out_item *it;

	out_ap_reserve(o, 0, *nit + 1);
	it = &o->apitems[*nit];
	it->rec = ref;
	it->seq = (uint32_t)*nit;
	it->grp = 0;
	it->id = id;
	it->target = t;
	it->todo = t != NULL ? OUT_ANNOUNCE : OUT_WITHDRAW;
	(*nit)++;
}

/* The changes of one prefix as work items: new or changed ids announced,
 * ids no longer there withdrawn. */
static void
out_plan_ap(struct rib_out *o, uint32_t ref, size_t *nit)
{
	const struct out_apset *as;
	struct out_rec *r = out_rec(o, ref);
	const struct out_ap *s;
	struct wr_prefix p;
	size_t i, j, nt;
	int resend = r->resend;

	r->resend = 0;
	out_rec_prefix(r, &p);
	nt = out_ap_targets(o, rib_lookup(o->rib, &p));
	as = out_apset(o, ref);
	for (i = 0; i < nt; i++) {
		s = out_ap_find(as, o->aptgt[i].id);
		if (s != NULL && s->sent == o->aptgt[i].sent && !resend)
			rib_attrs_unref(o->aptgt[i].sent);
		else
			out_ap_item(o, nit, ref, o->aptgt[i].id,
			    o->aptgt[i].sent);
	}
	for (i = 0; i < as->n; i++) {
		for (j = 0; j < nt && o->aptgt[j].id != as->v[i].id; j++)
			;
		if (j == nt)
			out_ap_item(o, nit, ref, as->v[i].id, NULL);
	}
}

/* Record that it went out: the id now has it->target, or is gone. */
static void
out_sent_ap(struct rib_out *o, struct out_item *it)
{
	struct out_apset *as = out_apset(o, it->rec);
	struct out_ap *s = out_ap_find(as, it->id), *v;

	if (s != NULL && it->target != NULL) {
		rib_attrs_unref(s->sent);
		s->sent = it->target;
	} else if (s != NULL) {
		rib_attrs_unref(s->sent);
		*s = as->v[--as->n];
		o->nsent--;
		if (as->n == 0) {
			free(as->v);
			as->v = NULL;
		}
	} else if (it->target != NULL) {
		v = reallocarray(as->v, as->n + 1, sizeof(*v));
		if (v == NULL)
			fatal("rib_out: add-path");
		as->v = v;
		v[as->n].id = it->id;
		v[as->n++].sent = it->target;
		o->nsent++;
	}
	it->target = NULL;
	it->todo = OUT_DONE;
}

static int
out_withdraws_ap(struct rib_out *o, const struct rib_out_cb *cb,
    struct out_item *it, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (it[i].todo != OUT_WITHDRAW)
			continue;
		out_rec_prefix(out_rec(o, it[i].rec), &o->appfx[k]);
		o->apids[k++] = it[i].id;
	}
	if (k == 0)
		return 0;
	if (cb->withdraw_id(cb->arg, o->appfx, o->apids, k) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (it[i].todo == OUT_WITHDRAW)
			out_sent_ap(o, &it[i]);
	return 0;
}

static int
out_announces_ap(struct rib_out *o, const struct rib_out_cb *cb,
    struct out_item *it, size_t n)
{
	size_t i, j, k;

	out_group(it, n);
	for (i = 0; i < n && it[i].todo == OUT_ANNOUNCE; i = j) {
		for (j = i; j < n && it[j].todo == OUT_ANNOUNCE &&
		    it[j].target == it[i].target; j++) {
			out_rec_prefix(out_rec(o, it[j].rec), &o->appfx[j - i]);
			o->apids[j - i] = it[j].id;
		}
		if (cb->announce_id(cb->arg, it[i].target, o->appfx, o->apids,
		    j - i) == -1)
			return -1;
		for (k = i; k < j; k++)
			out_sent_ap(o, &it[k]);
	}
	return 0;
}

static int
out_round_ap(struct rib_out *o, const struct rib_out_cb *cb, size_t n)
{
	struct out_item *popped = o->items, *it;
	struct out_rec *r;
	size_t i, nit = 0;
	int rv = 0;

	/* o->items holds the prefixes popped, o->apitems the paths */
	for (i = 0; i < n; i++) {
		popped[i].rec = out_dequeue(o);
		out_plan_ap(o, popped[i].rec, &nit);
	}
	it = o->apitems;
	if (nit > 0 && (out_withdraws_ap(o, cb, it, nit) == -1 ||
	    out_announces_ap(o, cb, it, nit) == -1)) {
		/* planned again later: what did go out is not repeated,
		 * unless a route refresh asked for it */
		for (i = 0; i < nit; i++)
			if (it[i].todo != OUT_DONE)
				out_rec(o, it[i].rec)->resend |=
				    out_apset(o, it[i].rec)->n > 0;
		out_undo(o, it, nit);
		rv = -1;
	}
	for (i = 0; i < n; i++) {
		r = out_rec(o, popped[i].rec);
		if (!r->queued && out_apset(o, popped[i].rec)->n == 0)
			out_rec_free(o, popped[i].rec);
	}
	return rv;
}

static int
out_round(struct rib_out *o, const struct rib_out_cb *cb, size_t n)
{
	struct out_item *it = o->items;
	struct out_rec *r;
	size_t i;
	int rv = 0;

	if (o->params.add_path)
		return out_round_ap(o, cb, n);
	for (i = 0; i < n; i++) {
		it[i].rec = out_dequeue(o);
		it[i].seq = (uint32_t)i;
		out_plan(o, &it[i]);
	}
	if (out_withdraws(o, cb, it, n) == -1 ||
	    out_announces(o, cb, it, n) == -1) {
		out_undo(o, it, n);
		rv = -1;
	}
	/* forget prefixes that are neither advertised nor waiting */
	for (i = 0; i < n; i++) {
		r = out_rec(o, it[i].rec);
		if (r->sent == 0 && !r->queued)
			out_rec_free(o, it[i].rec);
	}
	return rv;
}

static void
out_work_reserve(struct rib_out *o, size_t n)
{
	struct out_item *items;
	struct wr_prefix *pfx;

	if (n <= o->nwork)
		return;
	if ((items = reallocarray(o->items, n, sizeof(*items))) == NULL)
		fatal("rib_out: work");
	o->items = items;
	if ((pfx = reallocarray(o->pfx, n, sizeof(*pfx))) == NULL)
		fatal("rib_out: work");
	o->pfx = pfx;
	o->nwork = n;
}

/*
 * The work arrays are as long as the largest drain (up to OUT_BATCH, 52
 * octets a prefix): kept between bursts by each of a reflector's hundreds
 * of neighbors, they were a fifth of its memory (tests/bench/scale.sh, rr).
 */
static void
out_work_release(struct rib_out *o)
{
	if (o->nwork <= OUT_WORK_KEEP)
		return;
	free(o->items);
	free(o->pfx);
	o->items = NULL;
	o->pfx = NULL;
	o->nwork = 0;
}

size_t
rib_out_drain(struct rib_out *o, const struct rib_out_cb *cb, size_t budget)
{
	size_t n;

	while (budget > 0 && o->qlen > 0) {
		n = o->qlen < budget ? o->qlen : budget;
		if (n > OUT_BATCH)
			n = OUT_BATCH;
		out_work_reserve(o, n);
		if (out_round(o, cb, n) == -1)
			break;
		budget -= n;
	}
	if (o->qlen == 0)
		out_work_release(o);
	return o->qlen;
}

/*
 * What this neighbor was sent, for display: one call per advertised
 * prefix (per path with ADD-PATH), with the attribute set as sent.
 */
void
rib_out_walk(const struct rib_out *o, int (*cb)(void *,
    const struct wr_prefix *, uint32_t, const struct rib_attrs *), void *arg)
{
	const struct out_rec *r;
	const struct out_apset *s;
	struct wr_prefix p;
	uint32_t ref, j;

	for (ref = 1; ref <= o->nrecs; ref++) {
		r = out_rec(o, ref);
		if (r->af == 0)
			continue;
		out_rec_prefix(r, &p);
		if (r->sent != 0) {
			if (cb(arg, &p, 0, out_rec_sent(r)) != 0)
				return;
			continue;
		}
		s = ref <= o->napsets ? &o->apsets[ref - 1] : NULL;
		for (j = 0; s != NULL && j < s->n; j++)
			if (s->v[j].sent != NULL &&
			    cb(arg, &p, s->v[j].id, s->v[j].sent) != 0)
				return;
	}
}
