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
 * indexed table of subtrie roots (allocated on first use; 512 KB per family):
 * a prefix of length >= 16 lives in the subtrie of its first 16 bits, a
 * shorter one in a small separate trie.  A full table is then ~5 nodes deep.
 *
 * Nodes carry their key (4 bytes for IPv4, 16 for IPv6) so that glue nodes
 * need no entry, and come from a per-family pool: an IPv4 node is 32 bytes,
 * an IPv6 node 48, with no malloc header per node.  No parent pointer: a
 * removal re-descends from the root (at most 33 / 129 steps), which saves
 * 8 bytes per node.
 */
#include "pt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct pt_node {
	struct pt_node		*child[2];
	struct rib_entry	*entry;		/* NULL: a glue node */
	uint8_t			 len;
	uint8_t			 key[];		/* 4 or 16 bytes, masked */
};

struct pt_chunk {
	struct pt_chunk		*next;
	size_t			 size;
};

#define PT_CHUNK_MIN	32
#define PT_CHUNK_MAX	8192

/* Fixed-size node allocator: nodes are carved from chunks, freed to a list. */
struct pt_pool {
	size_t			 nodesize;
	size_t			 nextcount;	/* nodes in the next chunk */
	struct pt_node		*freelist;	/* linked through child[0] */
	struct pt_chunk		*chunks;
	size_t			 bytes;
};

#define PT_STRIDE	16
#define PT_TABSIZE	(1u << PT_STRIDE)

struct pt_tree {
	struct pt_node		*root;		/* prefixes shorter than 16 */
	struct pt_node		**tab;		/* subtries, by first 16 bits */
	struct pt_pool		 pool;
	unsigned		 keylen;	/* bytes */
	unsigned		 maxlen;	/* bits */
	size_t			 count;
};

struct pt {
	struct pt_tree		 v4;
	struct pt_tree		 v6;
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

static void
pt_keycopy(uint8_t *dst, const uint8_t *src, unsigned len, unsigned keylen)
{
	unsigned i;

	for (i = 0; i < keylen; i++) {
		unsigned bit = i * 8;

		if (bit + 8 <= len)
			dst[i] = src[i];
		else if (bit >= len)
			dst[i] = 0;
		else
			dst[i] = src[i] & (uint8_t)(0xff << (8 - (len - bit)));
	}
}

static int
pt_pool_grow(struct pt_pool *pool)
{
	struct pt_chunk *c;
	uint8_t *p;
	size_t i, n = pool->nextcount;

	if ((c = malloc(sizeof(*c) + n * pool->nodesize)) == NULL)
		return -1;
	c->next = pool->chunks;
	c->size = sizeof(*c) + n * pool->nodesize;
	pool->chunks = c;
	pool->bytes += c->size;
	p = (uint8_t *)(c + 1);
	for (i = 0; i < n; i++) {
		struct pt_node *node = (struct pt_node *)(p + i * pool->nodesize);

		node->child[0] = pool->freelist;
		pool->freelist = node;
	}
	if (pool->nextcount < PT_CHUNK_MAX)
		pool->nextcount *= 2;
	return 0;
}

static struct pt_node *
pt_node_new(struct pt_tree *t, const uint8_t *key, unsigned len,
    struct rib_entry *e)
{
	struct pt_node *n;

	if (t->pool.freelist == NULL && pt_pool_grow(&t->pool) == -1)
		return NULL;
	n = t->pool.freelist;
	t->pool.freelist = n->child[0];
	memset(n, 0, t->pool.nodesize);
	n->len = (uint8_t)len;
	n->entry = e;
	pt_keycopy(n->key, key, len, t->keylen);
	if (e != NULL)
		e->pt_node = n;
	return n;
}

static void
pt_node_free(struct pt_tree *t, struct pt_node *n)
{
	n->child[0] = t->pool.freelist;
	t->pool.freelist = n;
}

static void
pt_tree_init(struct pt_tree *t, unsigned keylen)
{
	size_t sz = offsetof(struct pt_node, key) + keylen;

	t->keylen = keylen;
	t->maxlen = keylen * 8;
	t->pool.nodesize = (sz + 7) & ~(size_t)7;
	t->pool.nextcount = PT_CHUNK_MIN;
}

struct pt *
pt_new(void)
{
	struct pt *pt;

	if ((pt = calloc(1, sizeof(*pt))) == NULL)
		return NULL;
	pt_tree_init(&pt->v4, 4);
	pt_tree_init(&pt->v6, 16);
	return pt;
}

static void
pt_subtree_free(struct pt_node *root, void (*fn)(struct rib_entry *, void *),
    void *arg)
{
	struct pt_node *stack[PT_STACK], *n;
	int sp = 0;

	if (root != NULL)
		stack[sp++] = root;
	while (sp > 0) {
		n = stack[--sp];
		if (n->child[1] != NULL)
			stack[sp++] = n->child[1];
		if (n->child[0] != NULL)
			stack[sp++] = n->child[0];
		if (n->entry != NULL)
			fn(n->entry, arg);
	}
}

static void
pt_tree_free(struct pt_tree *t, void (*fn)(struct rib_entry *, void *),
    void *arg)
{
	struct pt_chunk *c;
	size_t i;

	if (fn != NULL) {
		pt_subtree_free(t->root, fn, arg);
		for (i = 0; t->tab != NULL && i < PT_TABSIZE; i++)
			pt_subtree_free(t->tab[i], fn, arg);
	}
	free(t->tab);
	while ((c = t->pool.chunks) != NULL) {
		t->pool.chunks = c->next;
		free(c);
	}
}

void
pt_free(struct pt *pt, void (*fn)(struct rib_entry *, void *), void *arg)
{
	if (pt == NULL)
		return;
	pt_tree_free(&pt->v4, fn, arg);
	pt_tree_free(&pt->v6, fn, arg);
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
static struct pt_node **
pt_rootp(const struct pt_tree *t, const uint8_t *key, unsigned len)
{
	if (len < PT_STRIDE)
		return (struct pt_node **)&t->root;
	if (t->tab == NULL)
		return NULL;
	return &t->tab[pt_index(key)];
}

/* Link a new node for e at *link, where descent stopped at n (or NULL). */
static int
pt_link(struct pt_tree *t, struct pt_node **link, struct pt_node *n,
    struct rib_entry *e)
{
	const uint8_t *key = e->prefix.addr.b;
	unsigned len = e->prefix.len, cl;
	struct pt_node *nn, *glue;

	if ((nn = pt_node_new(t, key, len, e)) == NULL)
		return -1;
	if (n == NULL) {
		*link = nn;
		return 0;
	}
	cl = pt_common(n->key, key, n->len < len ? n->len : len);
	if (cl == len) {
		/* e is a shorter prefix of n: it goes above n */
		nn->child[pt_bit(n->key, len)] = n;
		*link = nn;
		return 0;
	}
	/* n and e diverge at bit cl: a glue node there holds both */
	if ((glue = pt_node_new(t, key, cl, NULL)) == NULL) {
		e->pt_node = NULL;
		pt_node_free(t, nn);
		return -1;
	}
	glue->child[pt_bit(key, cl)] = nn;
	glue->child[pt_bit(n->key, cl)] = n;
	*link = glue;
	return 0;
}

int
pt_insert(struct pt *pt, struct rib_entry *e)
{
	struct pt_tree *t = pt_tree(pt, e->prefix.addr.af);
	const uint8_t *key = e->prefix.addr.b;
	unsigned len = e->prefix.len;
	struct pt_node **link, *n;

	if (t == NULL || len > t->maxlen)
		return -1;
	if (len >= PT_STRIDE && t->tab == NULL &&
	    (t->tab = calloc(PT_TABSIZE, sizeof(*t->tab))) == NULL)
		return -1;
	for (link = pt_rootp(t, key, len); (n = *link) != NULL;
	    link = &n->child[pt_bit(key, n->len)]) {
		if (n->len > len ||
		    pt_common(n->key, key, n->len) < n->len)
			break;
		if (n->len == len) {
			if (n->entry != NULL)
				return -1;
			n->entry = e;
			e->pt_node = n;
			t->count++;
			return 0;
		}
	}
	if (pt_link(t, link, n, e) == -1)
		return -1;
	t->count++;
	return 0;
}

void
pt_remove(struct pt *pt, struct rib_entry *e)
{
	struct pt_tree *t = pt_tree(pt, e->prefix.addr.af);
	const uint8_t *key = e->prefix.addr.b;
	struct pt_node **link, **plink = NULL, *n, *child, *p;

	if (t == NULL || (link = pt_rootp(t, key, e->prefix.len)) == NULL)
		fatalx("pt_remove: entry not in table");
	for (; (n = *link) != e->pt_node;
	    link = &n->child[pt_bit(key, n->len)]) {
		if (n == NULL || n->len >= e->prefix.len)
			fatalx("pt_remove: entry not in table");
		plink = link;
	}
	n->entry = NULL;
	e->pt_node = NULL;
	t->count--;
	if (n->child[0] != NULL && n->child[1] != NULL)
		return;		/* stays as a glue node */
	child = n->child[0] != NULL ? n->child[0] : n->child[1];
	*link = child;
	pt_node_free(t, n);
	/* a glue parent left with one child is no longer needed */
	if (child == NULL && plink != NULL && (p = *plink)->entry == NULL) {
		*plink = p->child[0] != NULL ? p->child[0] : p->child[1];
		pt_node_free(t, p);
	}
}

struct rib_entry *
pt_lookup(const struct pt *pt, const struct wr_prefix *pfx)
{
	struct pt_tree *t = pt_tree(pt, pfx->addr.af);
	const uint8_t *key = pfx->addr.b;
	struct pt_node **rootp, *n;

	if (t == NULL || (rootp = pt_rootp(t, key, pfx->len)) == NULL)
		return NULL;
	/* descend on one bit per node; compare the whole key once */
	for (n = *rootp; n != NULL && n->len < pfx->len;
	    n = n->child[pt_bit(key, n->len)])
		;
	if (n == NULL || n->len != pfx->len || n->entry == NULL)
		return NULL;
	if (pt_common(n->key, key, n->len) != n->len)
		return NULL;
	return n->entry;
}

static struct rib_entry *
pt_subtree_match(const struct pt_node *n, const uint8_t *key, unsigned maxlen)
{
	struct rib_entry *best = NULL;

	for (; n != NULL; n = n->child[pt_bit(key, n->len)]) {
		if (pt_common(n->key, key, n->len) < n->len)
			break;
		if (n->entry != NULL)
			best = n->entry;
		if (n->len == maxlen)
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
		best = pt_subtree_match(t->tab[pt_index(addr->b)], addr->b,
		    t->maxlen);
	if (best == NULL)
		best = pt_subtree_match(t->root, addr->b, t->maxlen);
	return best;
}

/* Pre-order, 0 before 1: a prefix before its more specifics, i.e. the
 * (address, length) order of prefix_cmp(). */
static int
pt_subtree_walk(const struct pt_node *root,
    int (*cb)(const struct rib_entry *, void *), void *arg)
{
	const struct pt_node *stack[PT_STACK], *n;
	int sp = 0, rv;

	if (root != NULL)
		stack[sp++] = root;
	while (sp > 0) {
		n = stack[--sp];
		if (n->child[1] != NULL)
			stack[sp++] = n->child[1];
		if (n->child[0] != NULL)
			stack[sp++] = n->child[0];
		if (n->entry != NULL && (rv = cb(n->entry, arg)) != 0)
			return rv;
	}
	return 0;
}

struct pt_walkctx {
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
		if ((rv = pt_subtree_walk(w->t->tab[w->next], w->cb,
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
pt_tree_walk(const struct pt_tree *t,
    int (*cb)(const struct rib_entry *, void *), void *arg)
{
	struct pt_walkctx w = { t, 0, cb, arg };
	int rv;

	if ((rv = pt_subtree_walk(t->root, pt_walk_short, &w)) != 0)
		return rv;
	return pt_walk_tab(&w, PT_TABSIZE);
}

int
pt_walk(const struct pt *pt, int (*cb)(const struct rib_entry *, void *),
    void *arg)
{
	int rv;

	if ((rv = pt_tree_walk(&pt->v4, cb, arg)) != 0)
		return rv;
	return pt_tree_walk(&pt->v6, cb, arg);
}

size_t
pt_count(const struct pt *pt)
{
	return pt->v4.count + pt->v6.count;
}

size_t
pt_mem(const struct pt *pt)
{
	size_t n = sizeof(*pt) + pt->v4.pool.bytes + pt->v6.pool.bytes;

	if (pt->v4.tab != NULL)
		n += PT_TABSIZE * sizeof(*pt->v4.tab);
	if (pt->v6.tab != NULL)
		n += PT_TABSIZE * sizeof(*pt->v6.tab);
	return n;
}
