/*
 * rib/rib.h: the routing table, the centre of Wren.
 *
 * Sources (each BGP neighbor, the kernel, static routes) push routes in with
 * rib_update()/rib_withdraw().  Each source's paths form its Adj-RIB-In.  For
 * every prefix the RFC 4271 §9.1.2 decision process picks the best path;
 * consumers (the kernel installer, each neighbor's export in export.h) are
 * told whenever the best path of a prefix changes.
 *
 * rib/ knows nothing of sockets, netlink or config syntax.
 */
#ifndef WREN_RIB_H
#define WREN_RIB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"

/* ORIGIN values, RFC 4271 §4.3 */
#define ORIGIN_IGP		0
#define ORIGIN_EGP		1
#define ORIGIN_INCOMPLETE	2

/* AS_PATH segment types, RFC 4271 §4.3 and RFC 5065 */
#define AS_SET			1
#define AS_SEQUENCE		2
#define AS_CONFED_SEQUENCE	3
#define AS_CONFED_SET		4

#define LOCAL_PREF_DEFAULT	100

/* rib_attrs.flags: which optional attributes are present */
#define RIB_A_MED		0x01
#define RIB_A_LOCAL_PREF	0x02
#define RIB_A_ATOMIC_AGG	0x04
#define RIB_A_AGGREGATOR	0x08
#define RIB_A_ORIGINATOR	0x10	/* ORIGINATOR_ID, RFC 4456 §8 */

/*
 * A path attribute set.  Filled in by a parser as a template whose pointers
 * refer to the parser's memory; rib_attrs_intern() returns the one shared,
 * reference-counted, immutable copy for that content.  Many prefixes point
 * at one interned set: that is what keeps memory per path low and lets the
 * export side pack prefixes with the same attributes into one UPDATE.
 */
struct rib_attrs {
	/* internal to the interning table; zero in a template */
	struct rib_attrs	*hnext;
	uint32_t		 refcnt;
	uint32_t		 hash;
	uint32_t		 id;		/* rib_attrs_id() */

	uint8_t			 origin;
	uint8_t			 flags;
	uint32_t		 med;
	uint32_t		 local_pref;
	struct wr_addr		 nexthop;
	uint32_t		 aggregator_as;
	uint32_t		 aggregator_id;	/* host order */

	/*
	 * AS_PATH in wire form with 4-octet AS numbers (RFC 6793): a
	 * sequence of (type, count, count * 4-octet AS).  Always well-formed
	 * once interned (the parser validated it).
	 */
	const uint8_t		*aspath;
	uint16_t		 aspath_len;
	/* COMMUNITIES value (RFC 1997), a multiple of 4 bytes */
	const uint8_t		*communities;
	uint16_t		 communities_len;
	/*
	 * Unknown optional transitive attributes, concatenated in wire form
	 * (flags, type, length, value), passed on with the Partial bit set
	 * (RFC 4271 §5).
	 */
	const uint8_t		*unknown;
	uint16_t		 unknown_len;
	/* RFC 4456 §8: ORIGINATOR_ID (RIB_A_ORIGINATOR), host order */
	uint32_t		 originator_id;
	/* CLUSTER_LIST value (RFC 4456 §8), a multiple of 4 bytes */
	const uint8_t		*cluster_list;
	uint16_t		 cluster_list_len;
};

const struct rib_attrs	*rib_attrs_intern(const struct rib_attrs *tmpl);
const struct rib_attrs	*rib_attrs_ref(const struct rib_attrs *);
void			 rib_attrs_unref(const struct rib_attrs *);
size_t			 rib_attrs_count(void);	/* distinct interned sets */
/*
 * A small number (never 0) naming an interned set for as long as it lives,
 * and back: a 4-byte reference where millions are kept (rib/export.c).
 * rib_attrs_id(NULL) is 0 and rib_attrs_byid(0) NULL.  Takes no reference.
 */
uint32_t		 rib_attrs_id(const struct rib_attrs *);
const struct rib_attrs	*rib_attrs_byid(uint32_t);

/* AS_PATH helpers on the 4-octet wire form (rib/aspath.c). */
int	 aspath_valid(const uint8_t *, size_t);
/* RFC 4271 §9.1.2.2 a): an AS_SET counts 1; confederation segments 0. */
unsigned aspath_length(const uint8_t *, size_t);
/*
 * The neighbor AS: the leftmost AS after any confederation segments, or 0
 * if the path is empty or starts with an AS_SET (RFC 4271 §9.1.2.2 c
 * treats both as the local AS).
 */
uint32_t aspath_first_as(const uint8_t *, size_t);
int	 aspath_contains(const uint8_t *, size_t, uint32_t as);
unsigned aspath_count(const uint8_t *, size_t, uint32_t as);
/* Is id (host order) in a CLUSTER_LIST value (RFC 4456 §8)? */
int	 cluster_list_contains(const uint8_t *, size_t, uint32_t id);
/* Prepend one AS into out; returns the new length or -1 if outlen is short. */
int	 aspath_prepend(const uint8_t *, size_t, uint32_t as, uint8_t *out,
	    size_t outlen);
/* "64512 64513 {1 2}" into buf (always NUL-terminated). */
void	 aspath_fmt(const uint8_t *, size_t, char *buf, size_t buflen);

enum rib_src_type {
	RIB_SRC_KERNEL,
	RIB_SRC_STATIC,
	RIB_SRC_BGP,
};

struct rib_path;

/*
 * A source of routes.  bgpd embeds one in each neighbor; kernel/ has one.
 * The BGP fields feed the decision process.
 */
struct rib_source {
	enum rib_src_type	 type;
	int			 ebgp;		/* BGP: external neighbor */
	uint32_t		 remote_as;	/* BGP */
	uint32_t		 bgp_id;	/* BGP identifier, host order */
	struct wr_addr		 addr;		/* BGP: neighbor address */
	const char		*name;		/* for display: "kernel", "198.18.0.2" */
	int			 rr_client;	/* BGP: a route reflector client
						   of ours (RFC 4456) */
	int			 no_install;	/* STATIC: announced, never
						   installed in the kernel */

	/* internal: this source's Adj-RIB-In */
	struct rib_path		*paths;
	size_t			 npaths;
	size_t			 nstale;	/* paths marked stale */
};

struct rib_path {
	struct rib_path		*next;		/* in the entry, best first */
	struct rib_path		*src_next;	/* in the source's list */
	struct rib_path		*src_prev;
	struct rib_entry	*entry;
	struct rib_source	*src;
	const struct rib_attrs	*attrs;		/* interned */
	uint32_t		 since;		/* time(), seconds: 4 bytes
						   keep the path at 64 */
	uint32_t		 path_id;	/* RFC 7911: the neighbor's path
						   identifier; 0 without
						   ADD-PATH */
	uint32_t		 tx_id;		/* RFC 7911: the identifier we
						   send it with; never 0,
						   unique among the paths
						   of the entry, fixed for
						   the life of the path */
	uint8_t			 stale;		/* RFC 4724 §4.2: kept across a
						   graceful restart, not yet
						   re-announced */
};

/* Lives inside its prefix-table node (rib/pt.c): 40 bytes with the links. */
struct rib_entry {
	struct wr_prefix	 prefix;
	struct rib_path		*paths;		/* sorted: best first */
};

struct rib;

/*
 * A consumer is told of every change of best path.  The entry is passed in
 * its new state; e->paths may be NULL (the prefix is gone and the entry is
 * freed right after the call returns), so a consumer must keep what it needs
 * (its own copy of what it installed or sent), never the entry pointer.
 */
struct rib_consumer {
	void			(*changed)(void *arg, const struct rib_entry *);
	void			*arg;
	struct rib_consumer	*next;
	/*
	 * Set: also told when a path other than the best one changes (a
	 * multipath consumer needs that: the ECMP set may change while the
	 * best path stays).  Clear: told only of best-path changes.
	 */
	int			 every_change;
};

struct rib	*rib_new(void);
void		 rib_free(struct rib *);
void		 rib_consumer_add(struct rib *, struct rib_consumer *);
void		 rib_consumer_remove(struct rib *, struct rib_consumer *);

void	rib_source_init(struct rib_source *, enum rib_src_type, const char *);

/*
 * Add or replace the path of src for prefix.  attrs may be a template or an
 * interned set; the rib interns (and references) it itself.
 * Returns 1 if the best path changed, 0 if not, -1 on memory exhaustion or
 * an invalid prefix.
 */
int	rib_update(struct rib *, struct rib_source *, const struct wr_prefix *,
	    const struct rib_attrs *);
/* Returns 1 if the best path changed, 0 if not (also: nothing to withdraw). */
int	rib_withdraw(struct rib *, struct rib_source *,
	    const struct wr_prefix *);
/*
 * ADD-PATH (RFC 7911): a source may have several paths for a prefix, told
 * apart by the path identifier it chose.  rib_update()/rib_withdraw() are
 * these with path identifier 0.
 */
int	rib_update_id(struct rib *, struct rib_source *,
	    const struct wr_prefix *, uint32_t path_id,
	    const struct rib_attrs *);
int	rib_withdraw_id(struct rib *, struct rib_source *,
	    const struct wr_prefix *, uint32_t path_id);
/* Withdraw every path of src (session down).  Returns how many. */
size_t	rib_flush_source(struct rib *, struct rib_source *);
/*
 * Graceful restart (RFC 4724 §4.2): when a neighbor's session goes down its
 * paths of family af (AF_INET, AF_INET6; 0: all) are kept, marked stale.
 * The paths stay in the decision process and nobody is told: forwarding
 * goes on.  A later rib_update() of a stale path clears the mark (and, if
 * the attributes are the same, tells no consumer).  Sweeping withdraws the
 * paths of family af still stale (End-of-RIB, or a timer).  Both return
 * how many paths they marked or withdrew.
 */
size_t	rib_source_mark_stale(struct rib *, struct rib_source *, int af);
size_t	rib_source_sweep_stale(struct rib *, struct rib_source *, int af);

const struct rib_entry	*rib_lookup(struct rib *, const struct wr_prefix *);
const struct rib_entry	*rib_match(struct rib *, const struct wr_addr *);
const struct rib_path	*rib_entry_best(const struct rib_entry *);
/* The first (best ranked) path of the source, whatever its path id. */
const struct rib_path	*rib_entry_path(const struct rib_entry *,
			    const struct rib_source *);
/*
 * ECMP: the paths that tie with the best one through RFC 4271 §9.1.2.2 e)
 * (the IGP cost step), best first, at most max of them; the BGP identifier
 * and peer address steps only pick one among equals.  Like BIRD's "merge
 * paths", AS paths of equal length from different neighbor ASes may be
 * combined.  Returns how many were stored.
 */
size_t	rib_entry_multipath(const struct rib_entry *,
	    const struct rib_path **out, size_t max);
/* Walk every entry in prefix order (IPv4 before IPv6); stop when cb != 0. */
int	rib_walk(struct rib *, int (*cb)(const struct rib_entry *, void *),
	    void *);
size_t	rib_prefix_count(struct rib *);
size_t	rib_path_count(struct rib *);

/*
 * The decision process, exposed for the unit tests: <0 if a is preferred
 * over b, >0 if b over a.  See rib/decide.c for the steps.  Note that the
 * MED step only compares paths from the same neighbor AS, so this is not a
 * total order; rib_decide() applies the RFC's elimination properly.
 */
int	rib_path_cmp(const struct rib_path *a, const struct rib_path *b);
/* Re-sort e->paths best first. */
void	rib_decide(struct rib_entry *);

#endif
