/*
 * rib/pt.c: the prefix table.
 *
 * Why a path-compressed binary (Patricia) trie per address family, and not a
 * hash table:
 *  - the export side walks the whole table in prefix order on every session
 *    start (rib_out_start) and `show` walks it too; a trie walks in order
 *    for free, a hash table would have to sort 1M pointers each time;
 *  - the kernel source and the control socket need longest-prefix match,
 *    which a trie answers in one descent instead of up to 33 (or 129) hash
 *    probes;
 *  - there is no rehash pause when the table grows to millions of prefixes.
 * Path compression keeps the depth at most 33 (129) and the node count below
 * twice the number of prefixes: a node is either a prefix or a "glue" node
 * with exactly two children.  Exact lookup only tests one bit per node and
 * compares the key once at the end.
 *
 * A trie of a million random prefixes is still ~20 nodes deep, each a likely
 * cache miss.  So the first PT_STRIDE (16) bits are resolved by a directly
 * indexed table of subtrie roots (allocated on first use; 256 KB per family):
 * a prefix of length >= 16 lives in the subtrie of its first 16 bits, a
 * shorter one in a small separate trie.  A full table is then ~5 nodes deep.
 *
 * Memory, the one thing a full table has a lot of (a critical-bit tree):
 *  - a prefix node is its rib_entry with two child links in front (40
 *    bytes, IPv4 and IPv6 alike): the key is the entry's own prefix; there
 *    is no separate entry, no pointer to it and no second key;
 *  - a glue node holds no key at all, only its bit index (12 bytes): every
 *    prefix below it shares its first len bits, so an insertion finds the
 *    divergence point against one prefix below (a second descent), and a
 *    longest match checks the key at prefix nodes only;
 *  - child links are 32-bit references into two pools of fixed-size nodes
 *    (glue, prefix) kept in pages: no malloc header, half a pointer;
 *  - no parent link: a removal re-descends from the root.
 * So a prefix costs 40 bytes plus, in a table of leaves, about one glue
 * node: ~52 bytes, where a node with its own key, 64-bit links and an entry
 * beside it took 96 (IPv4) or 128 (IPv6).  Pages never move, so an entry
 * pointer stays valid until pt_remove().
 */
#include "pt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define PT_ASAN		1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_ASAN		1
#endif
#endif
#ifdef PT_ASAN
#include <sanitizer/asan_interface.h>
/* a freed entry is poisoned, so that a use after free is still caught */
#define PT_POISON(p, n)		ASAN_POISON_MEMORY_REGION((p), (n))
#define PT_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define PT_POISON(p, n)		((void)(p), (void)(n))
#define PT_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

/* A node reference: a pool index (from 1), the top bit set for a prefix
 * node; 0 is no node. */
typedef uint32_t pt_ref;
#define PT_ENTRY	0x80000000u
#define PT_IDX(r)	((r) & ~PT_ENTRY)

struct pt_glue {
	pt_ref			 child[2];
	uint8_t			 len;		/* the critical bit */
};

struct pt_enode {
	pt_ref			 child[2];
	struct rib_entry	 e;
};

#define PT_PAGE_SHIFT	10
#define PT_PAGE		(1u << PT_PAGE_SHIFT)

/* Fixed-size nodes in pages of PT_PAGE; a free node's first word links the
 * free list. */
struct pt_pool {
	uint8_t			**pages;
	uint32_t		 npages;
	uint32_t		 nused;		/* indices handed out */
	uint32_t		 freelist;
	size_t			 size;
};

#define PT_STRIDE	16
#define PT_TABSIZE	(1u << PT_STRIDE)

struct pt_tree {
	pt_ref			 root;		/* prefixes shorter than 16 */
	pt_ref			*tab;		/* subtries, by first 16 bits */
	unsigned		 maxlen;	/* bits */
	size_t			 count;
};

struct pt {
	struct pt_tree		 v4;
	struct pt_tree		 v6;
	struct pt_pool		 glue;
	struct pt_pool		 nodes;
};

#define PT_STACK	(2 * (128 + 2))

static inline int
pt_bit(const uint8_t *key, unsigned i)
{
	return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Number of leading bits a and b share, at most max. */
static unsigned
pt_common(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; n < max; i++) {
		unsigned x = a[i] ^ b[i];

		if (x != 0) {
			n += (unsigned)__builtin_clz(x) - 24;
			break;
		}
		n += 8;
	}
	return n < max ? n : max;
}

static inline void *
pt_ptr(const struct pt_pool *pool, uint32_t idx)
{
	return pool->pages[idx >> PT_PAGE_SHIFT] +
	    (size_t)(idx & (PT_PAGE - 1)) * pool->size;
}

static inline struct pt_enode *
pt_en(const struct pt *pt, pt_ref r)
{
	return pt_ptr(&pt->nodes, PT_IDX(r));
}

static inline struct pt_glue *
pt_gl(const struct pt *pt, pt_ref r)
{
	return pt_ptr(&pt->glue, PT_IDX(r));
}

static inline pt_ref *
pt_child(const struct pt *pt, pt_ref r)
{
	return (r & PT_ENTRY) ? pt_en(pt, r)->child : pt_gl(pt, r)->child;
}

/* The node's bit index: the prefix length, or the glue's critical bit. */
static inline unsigned
pt_len(const struct pt *pt, pt_ref r)
{
	return (r & PT_ENTRY) ? pt_en(pt, r)->e.prefix.len : pt_gl(pt, r)->len;
}

/* A zeroed node's index, or 0. */
static uint32_t
pt_pool_get(struct pt_pool *pool)
{
	uint8_t **pages, *p;
	uint32_t idx;

	if ((idx = pool->freelist) != 0) {
		p = pt_ptr(pool, idx);
		PT_UNPOISON(p, pool->size);
		memcpy(&pool->freelist, p, sizeof(pool->freelist));
	} else {
		if (pool->nused + 1 >= PT_ENTRY)
			return 0;
		idx = pool->nused + 1;
		if ((idx >> PT_PAGE_SHIFT) == pool->npages) {
			pages = reallocarray(pool->pages, pool->npages + 1,
			    sizeof(*pages));
			if (pages == NULL)
				return 0;
			pool->pages = pages;
			if ((pages[pool->npages] = malloc(PT_PAGE *
			    pool->size)) == NULL)
				return 0;
			pool->npages++;
		}
		pool->nused = idx;
		p = pt_ptr(pool, idx);
	}
	memset(p, 0, pool->size);
	return idx;
}

static void
pt_pool_put(struct pt_pool *pool, uint32_t idx)
{
	uint8_t *p = pt_ptr(pool, idx);

	memcpy(p, &pool->freelist, sizeof(pool->freelist));
	pool->freelist = idx;
	/*
	 * The links stay readable; the rest of a prefix node (the entry,
	 * whole 8-byte granules) is poisoned.  Glue nodes hold no entry.
	 */
	if (pool->size > 8 && pool->size % 8 == 0)
		PT_POISON(p + 8, pool->size - 8);
}

static void
pt_pool_free(struct pt_pool *pool)
{
	uint32_t i;

	for (i = 0; i < pool->npages; i++) {
		PT_UNPOISON(pool->pages[i], PT_PAGE * pool->size);
		free(pool->pages[i]);
	}
	free(pool->pages);
}

static pt_ref
pt_glue_new(struct pt *pt, unsigned len)
{
	uint32_t idx;

	if ((idx = pt_pool_get(&pt->glue)) == 0)
		return 0;
	pt_gl(pt, idx)->len = (uint8_t)len;
	return idx;
}

/* A prefix node, its entry keyed by pfx (masked here) with no paths. */
static pt_ref
pt_enode_new(struct pt *pt, const struct wr_prefix *pfx)
{
	struct pt_enode *n;
	uint32_t idx;

	if ((idx = pt_pool_get(&pt->nodes)) == 0)
		return 0;
	n = pt_en(pt, idx);
	n->e.prefix = *pfx;
	prefix_mask(&n->e.prefix);
	return idx | PT_ENTRY;
}

static void
pt_node_free(struct pt *pt, pt_ref r)
{
	pt_pool_put((r & PT_ENTRY) ? &pt->nodes : &pt->glue, PT_IDX(r));
}

struct pt *
pt_new(void)
{
	struct pt *pt;

	if ((pt = calloc(1, sizeof(*pt))) == NULL)
		return NULL;
	pt->v4.maxlen = 32;
	pt->v6.maxlen = 128;
	pt->glue.size = sizeof(struct pt_glue);
	pt->nodes.size = sizeof(struct pt_enode);
	return pt;
}

static int	pt_tree_walk(const struct pt *, const struct pt_tree *,
		    int (*)(const struct rib_entry *, void *), void *);

struct pt_freectx {
	void	(*fn)(struct rib_entry *, void *);
	void	*arg;
};

static int
pt_free_cb(const struct rib_entry *e, void *arg)
{
	struct pt_freectx *f = arg;

	f->fn((struct rib_entry *)(uintptr_t)e, f->arg);
	return 0;
}

void
pt_free(struct pt *pt, void (*fn)(struct rib_entry *, void *), void *arg)
{
	struct pt_freectx f = { fn, arg };

	if (pt == NULL)
		return;
	if (fn != NULL) {
		pt_tree_walk(pt, &pt->v4, pt_free_cb, &f);
		pt_tree_walk(pt, &pt->v6, pt_free_cb, &f);
	}
	free(pt->v4.tab);
	free(pt->v6.tab);
	pt_pool_free(&pt->glue);
	pt_pool_free(&pt->nodes);
	free(pt);
}

static struct pt_tree *
pt_tree(const struct pt *pt, uint8_t af)
{
	if (af == AF_INET)
		return (struct pt_tree *)&pt->v4;
	if (af == AF_INET6)
		return (struct pt_tree *)&pt->v6;
	return NULL;
}

static inline unsigned
pt_index(const uint8_t *key)
{
	return (unsigned)key[0] << 8 | key[1];
}

/* Where the (sub)trie holding prefixes of this length and key starts;
 * NULL if there is none (yet). */
static pt_ref *
pt_rootp(const struct pt_tree *t, const uint8_t *key, unsigned len)
{
	if (len < PT_STRIDE)
		return (pt_ref *)&t->root;
	if (t->tab == NULL)
		return NULL;
	return &t->tab[pt_index(key)];
}

/*
 * A prefix at or below r: it shares the first pt_len(r) bits of everything
 * below r.  A glue node always has two children.
 */
static const struct wr_prefix *
pt_some_prefix(const struct pt *pt, pt_ref r)
{
	while (!(r & PT_ENTRY))
		r = pt_gl(pt, r)->child[0];
	return &pt_en(pt, r)->e.prefix;
}

/*
 * How many leading bits the prefix key/len shares with the trie: descend on
 * its bits to a node as long as it, or to the last node on its way, and
 * compare with a prefix below that node.
 */
static unsigned
pt_common_len(const struct pt *pt, pt_ref r, const uint8_t *key,
    unsigned len, pt_ref *last)
{
	const struct wr_prefix *q;
	pt_ref next;
	unsigned nl;

	for (; (nl = pt_len(pt, r)) < len; r = next)
		if ((next = pt_child(pt, r)[pt_bit(key, nl)]) == 0)
			break;
	*last = r;
	q = pt_some_prefix(pt, r);
	return pt_common(q->addr.b, key, q->len < len ? q->len : len);
}

/* A new prefix node where the descent stopped: *link is n (or 0), which
 * diverges from the key at bit cl.  Pages never move: link stays valid. */
static pt_ref
pt_link(struct pt *pt, pt_ref *link, const struct wr_prefix *pfx,
    unsigned cl)
{
	pt_ref n = *link, nn, glue;
	const uint8_t *nkey;

	if ((nn = pt_enode_new(pt, pfx)) == 0)
		return 0;
	if (n == 0) {
		*link = nn;
		return nn;
	}
	nkey = pt_some_prefix(pt, n)->addr.b;
	if (cl == pfx->len) {
		/* the new prefix is a shorter one of n's: it goes above n */
		pt_en(pt, nn)->child[pt_bit(nkey, cl)] = n;
		*link = nn;
		return nn;
	}
	/* they diverge at bit cl: a glue node there holds both */
	if ((glue = pt_glue_new(pt, cl)) == 0) {
		pt_node_free(pt, nn);
		return 0;
	}
	pt_gl(pt, glue)->child[pt_bit(pfx->addr.b, cl)] = nn;
	pt_gl(pt, glue)->child[pt_bit(nkey, cl)] = n;
	*link = glue;
	return nn;
}

/* A glue node at exactly the new prefix becomes its prefix node. */
static pt_ref
pt_unglue(struct pt *pt, pt_ref *link, const struct wr_prefix *pfx)
{
	pt_ref g = *link, nn;

	if ((nn = pt_enode_new(pt, pfx)) == 0)
		return 0;
	memcpy(pt_en(pt, nn)->child, pt_gl(pt, g)->child,
	    sizeof(pt_gl(pt, g)->child));
	*link = nn;
	pt_node_free(pt, g);
	return nn;
}

struct rib_entry *
pt_get(struct pt *pt, const struct wr_prefix *pfx, int *created)
{
	struct pt_tree *t = pt_tree(pt, pfx->addr.af);
	const uint8_t *key = pfx->addr.b;
	unsigned len = pfx->len, cl, nl;
	pt_ref *link, n, nn;

	*created = 0;
	if (t == NULL || len > t->maxlen)
		return NULL;
	if (len >= PT_STRIDE && t->tab == NULL &&
	    (t->tab = calloc(PT_TABSIZE, sizeof(*t->tab))) == NULL)
		return NULL;
	link = pt_rootp(t, key, len);
	cl = 0;
	if (*link != 0) {
		cl = pt_common_len(pt, *link, key, len, &n);
		if (cl == len && (n & PT_ENTRY) && pt_len(pt, n) == len)
			return &pt_en(pt, n)->e;	/* there already */
	}
	/* second descent, to the first node below the divergence */
	for (; (n = *link) != 0; link = &pt_child(pt, n)[pt_bit(key, nl)]) {
		if ((nl = pt_len(pt, n)) > cl)
			break;
		if (nl == len) {
			if (n & PT_ENTRY)
				return &pt_en(pt, n)->e;
			if ((nn = pt_unglue(pt, link, pfx)) == 0)
				return NULL;
			goto created;
		}
	}
	if ((nn = pt_link(pt, link, pfx, cl)) == 0)
		return NULL;
 created:
	t->count++;
	*created = 1;
	return &pt_en(pt, nn)->e;
}

/* A prefix node with two children that loses its entry becomes glue. */
static void
pt_reglue(struct pt *pt, pt_ref *link, unsigned len)
{
	pt_ref n = *link, g;

	/* one page of glue nodes per 1024: fails only with malloc failing */
	if ((g = pt_glue_new(pt, len)) == 0)
		fatal("pt_remove");
	memcpy(pt_gl(pt, g)->child, pt_en(pt, n)->child,
	    sizeof(pt_gl(pt, g)->child));
	*link = g;
	pt_node_free(pt, n);
}

void
pt_remove(struct pt *pt, struct rib_entry *e)
{
	struct pt_tree *t = pt_tree(pt, e->prefix.addr.af);
	const uint8_t *key = e->prefix.addr.b;
	pt_ref *link, *plink = NULL, n, child, p, *c;
	unsigned nl;

	if (t == NULL || (link = pt_rootp(t, key, e->prefix.len)) == NULL)
		fatalx("pt_remove: entry not in table");
	for (;;) {
		if ((n = *link) == 0)
			fatalx("pt_remove: entry not in table");
		if ((n & PT_ENTRY) && &pt_en(pt, n)->e == e)
			break;
		if ((nl = pt_len(pt, n)) >= e->prefix.len)
			fatalx("pt_remove: entry not in table");
		plink = link;
		link = &pt_child(pt, n)[pt_bit(key, nl)];
	}
	t->count--;
	c = pt_en(pt, n)->child;
	if (c[0] != 0 && c[1] != 0) {
		pt_reglue(pt, link, e->prefix.len);
		return;
	}
	child = c[0] != 0 ? c[0] : c[1];
	*link = child;
	pt_node_free(pt, n);
	/* a glue parent left with one child is no longer needed */
	if (child == 0 && plink != NULL && !((p = *plink) & PT_ENTRY)) {
		c = pt_gl(pt, p)->child;
		*plink = c[0] != 0 ? c[0] : c[1];
		pt_node_free(pt, p);
	}
}

struct rib_entry *
pt_lookup(const struct pt *pt, const struct wr_prefix *pfx)
{
	struct pt_tree *t = pt_tree(pt, pfx->addr.af);
	const uint8_t *key = pfx->addr.b;
	struct pt_enode *en;
	pt_ref *rootp, n;
	unsigned nl;

	if (t == NULL || pfx->len > t->maxlen ||
	    (rootp = pt_rootp(t, key, pfx->len)) == NULL)
		return NULL;
	/* descend on one bit per node; compare the whole key once */
	for (n = *rootp; n != 0 && (nl = pt_len(pt, n)) < pfx->len;
	    n = pt_child(pt, n)[pt_bit(key, nl)])
		;
	if (n == 0 || !(n & PT_ENTRY))
		return NULL;
	en = pt_en(pt, n);
	if (en->e.prefix.len != pfx->len ||
	    pt_common(en->e.prefix.addr.b, key, pfx->len) != pfx->len)
		return NULL;
	return &en->e;
}

/*
 * Glue nodes carry no key: check at prefix nodes only.  A prefix on the
 * way that does not cover the address ends the search, since everything
 * below it extends it.
 */
static struct rib_entry *
pt_subtree_match(const struct pt *pt, pt_ref n, const uint8_t *key,
    unsigned maxlen)
{
	struct rib_entry *best = NULL, *e;
	unsigned nl;

	for (; n != 0; n = pt_child(pt, n)[pt_bit(key, nl)]) {
		nl = pt_len(pt, n);
		if (n & PT_ENTRY) {
			e = &pt_en(pt, n)->e;
			if (pt_common(e->prefix.addr.b, key, nl) < nl)
				break;
			best = e;
		}
		if (nl == maxlen)
			break;
	}
	return best;
}

struct rib_entry *
pt_match(const struct pt *pt, const struct wr_addr *addr)
{
	struct pt_tree *t = pt_tree(pt, addr->af);
	struct rib_entry *best = NULL;

	if (t == NULL)
		return NULL;
	/* anything in the subtrie is longer than anything in the short trie */
	if (t->tab != NULL)
		best = pt_subtree_match(pt, t->tab[pt_index(addr->b)], addr->b,
		    t->maxlen);
	if (best == NULL)
		best = pt_subtree_match(pt, t->root, addr->b, t->maxlen);
	return best;
}

/* Pre-order, 0 before 1: a prefix before its more specifics, i.e. the
 * (address, length) order of prefix_cmp(). */
static int
pt_subtree_walk(const struct pt *pt, pt_ref root,
    int (*cb)(const struct rib_entry *, void *), void *arg)
{
	pt_ref stack[PT_STACK], n, *c;
	int sp = 0, rv;

	if (root != 0)
		stack[sp++] = root;
	while (sp > 0) {
		n = stack[--sp];
		c = pt_child(pt, n);
		if (c[1] != 0)
			stack[sp++] = c[1];
		if (c[0] != 0)
			stack[sp++] = c[0];
		if ((n & PT_ENTRY) && (rv = cb(&pt_en(pt, n)->e, arg)) != 0)
			return rv;
	}
	return 0;
}

struct pt_walkctx {
	const struct pt		*pt;
	const struct pt_tree	*t;
	unsigned		 next;		/* first subtrie not walked */
	int			(*cb)(const struct rib_entry *, void *);
	void			*arg;
};

static int
pt_walk_tab(struct pt_walkctx *w, unsigned upto)
{
	int rv;

	for (; w->t->tab != NULL && w->next < upto; w->next++)
		if ((rv = pt_subtree_walk(w->pt, w->t->tab[w->next], w->cb,
		    w->arg)) != 0)
			return rv;
	w->next = upto;
	return 0;
}

/*
 * A short prefix S sorts after every subtrie below its own first 16 bits
 * and before the subtrie of those bits (its address is the lowest there,
 * and it is shorter): so walk the short trie, and before each S the
 * subtries it comes after.
 */
static int
pt_walk_short(const struct rib_entry *e, void *arg)
{
	struct pt_walkctx *w = arg;
	int rv;

	if ((rv = pt_walk_tab(w, pt_index(e->prefix.addr.b))) != 0)
		return rv;
	return w->cb(e, w->arg);
}

static int
pt_tree_walk(const struct pt *pt, const struct pt_tree *t,
    int (*cb)(const struct rib_entry *, void *), void *arg)
{
	struct pt_walkctx w = { pt, t, 0, cb, arg };
	int rv;

	if ((rv = pt_subtree_walk(pt, t->root, pt_walk_short, &w)) != 0)
		return rv;
	return pt_walk_tab(&w, PT_TABSIZE);
}

int
pt_walk(const struct pt *pt, int (*cb)(const struct rib_entry *, void *),
    void *arg)
{
	int rv;

	if ((rv = pt_tree_walk(pt, &pt->v4, cb, arg)) != 0)
		return rv;
	return pt_tree_walk(pt, &pt->v6, cb, arg);
}

size_t
pt_count(const struct pt *pt)
{
	return pt->v4.count + pt->v6.count;
}

static size_t
pt_pool_mem(const struct pt_pool *pool)
{
	return pool->npages * (PT_PAGE * pool->size + sizeof(*pool->pages));
}

size_t
pt_mem(const struct pt *pt)
{
	size_t n = sizeof(*pt) + pt_pool_mem(&pt->glue) +
	    pt_pool_mem(&pt->nodes);

	if (pt->v4.tab != NULL)
		n += PT_TABSIZE * sizeof(*pt->v4.tab);
	if (pt->v6.tab != NULL)
		n += PT_TABSIZE * sizeof(*pt->v6.tab);
	return n;
}
