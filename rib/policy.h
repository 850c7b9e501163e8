/*
 * rib/policy.h: routing policy (peers.conf(5), POLICY).
 *
 * Named prefix sets (prefix with ge/le), community sets (RFC 1997 and RFC
 * 8092 large communities), and policies: an ordered list of rules, each a
 * conjunction of matches and a list of actions, ending in accept, reject or
 * nothing (go on with the next rule), and a default verdict.
 *
 * Pure data and evaluation: no libevent, no libnl, no config syntax (the
 * parser is bgpd/config.c; the canonical printing is here so that both
 * agree).  Evaluation works on an attribute template; the caller interns
 * the result (rib/attrs.c) when it was modified.
 */
#ifndef WREN_POLICY_H
#define WREN_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "rib.h"

#define POL_NAME_LEN		64
#define POL_PATTERN_LEN		32

/* Verdicts */
#define POL_NONE		0	/* a rule without accept/reject */
#define POL_ACCEPT		1
#define POL_REJECT		2

/* One prefix of a set: matches prefixes inside it of length ge..le. */
struct pol_pfx {
	struct wr_prefix	 prefix;
	uint8_t			 ge;
	uint8_t			 le;
};

struct pol_prefix_set {
	char			 name[POL_NAME_LEN];
	struct pol_pfx		*v;
	size_t			 n;
	int			 line;
	struct pol_prefix_set	*next;
};

/* A community: RFC 1997 (v[0] is the 32-bit value) or RFC 8092 large. */
#define POL_COMM_STD		1
#define POL_COMM_LARGE		2

struct pol_comm {
	int			 kind;
	uint32_t		 v[3];
};

struct pol_comm_set {
	char			 name[POL_NAME_LEN];
	struct pol_comm		*v;
	size_t			 n;
	int			 line;
	struct pol_comm_set	*next;
};

enum pol_match_type {
	PM_PREFIX_SET,		/* set */
	PM_SOURCE,		/* num: RIB_SRC_* */
	PM_INTERFACE,		/* pattern (kernel routes) */
	PM_NEIGHBOR_TYPE,	/* num: 1 ebgp, 0 ibgp */
	PM_COMMUNITY,		/* comm */
	PM_COMMUNITY_SET,	/* set: any member */
	PM_ASPATH_CONTAINS,	/* num: an AS */
	PM_ASPATH_ORIGIN,	/* num: the originating AS */
	PM_ASPATH_LENGTH,	/* cmp, num */
};

/* PM_ASPATH_LENGTH comparisons */
#define POL_CMP_EQ	0
#define POL_CMP_LE	1
#define POL_CMP_GE	2

struct pol_match {
	enum pol_match_type	 type;
	int			 negate;	/* "match not ..." */
	uint32_t		 num;
	int			 cmp;
	struct pol_comm		 comm;
	char			 name[POL_NAME_LEN];	/* set name */
	char			 pattern[POL_PATTERN_LEN];
	const void		*set;	/* resolved by name */
	int			 line;
};

enum pol_action_type {
	PA_SET_COMMUNITY,	/* comms (empty: delete all) */
	PA_ADD_COMMUNITY,
	PA_DELETE_COMMUNITY,
	PA_SET_LARGE,
	PA_ADD_LARGE,
	PA_DELETE_LARGE,
	PA_LOCAL_PREF,		/* num */
	PA_MED,			/* num */
	PA_PREPEND,		/* num: times */
	PA_NEXTHOP_SELF,
	PA_METRIC,		/* num: kernel install metric */
};

struct pol_action {
	enum pol_action_type	 type;
	uint32_t		 num;
	struct pol_comm		*comms;
	size_t			 ncomms;
};

struct pol_rule {
	struct pol_match	*m;
	size_t			 nm;
	struct pol_action	*a;
	size_t			 na;
	int			 verdict;	/* POL_* */
	int			 line;
};

struct policy {
	char			 name[POL_NAME_LEN];
	struct pol_rule		*rules;
	size_t			 nrules;
	int			 dflt;		/* POL_ACCEPT or POL_REJECT */
	int			 line;
	struct policy		*next;
};

/*
 * An aggregate (an IPAM block): announced as a route of its own, and the
 * more specific local routes inside it are not announced, except visible.
 */
struct pol_aggr {
	struct wr_prefix	 prefix;
	int			 no_blackhole;
	struct wr_prefix	*visible;
	size_t			 nvisible;
	int			 line;
	struct pol_aggr		*next;
};

/* What the daemon shares with every export: aggregates, interface names. */
struct policy_env {
	const struct pol_aggr	*aggs;
	/* the output device of a kernel route, or NULL */
	const char		*(*ifname)(void *arg, const struct wr_prefix *);
	void			*ifname_arg;
};

/* The route being judged. */
struct pol_ctx {
	const struct wr_prefix	*prefix;
	int			 source;	/* RIB_SRC_* */
	int			 ebgp;		/* neighbor type */
	uint32_t		 prepend_as;	/* prepend: this AS */
	const struct wr_addr	*self;		/* next-hop self: this; NULL:
						   ignored */
	const struct policy_env	*env;		/* NULL: no interface */
};

/*
 * The result: attrs is a template whose pointers refer to the buffers of
 * this struct (or to the input's), valid until the next evaluation with
 * it.  modified: attrs differs from the input.
 */
struct pol_out {
	struct rib_attrs	 attrs;
	int			 modified;
	int			 has_metric;
	uint32_t		 metric;
	uint8_t			*comm, *aspath, *unknown, *large;
	size_t			 comm_cap, aspath_cap, unknown_cap, large_cap;
	size_t			 large_len;
	int			 large_set;	/* large holds the new value */
};

int	 policy_eval(const struct policy *, const struct pol_ctx *,
	    const struct rib_attrs *in, struct pol_out *);
void	 pol_out_free(struct pol_out *);

/* Matching, exposed for the tests. */
int	 pol_prefix_set_match(const struct pol_prefix_set *,
	    const struct wr_prefix *);
int	 pol_comm_present(const struct rib_attrs *, const struct pol_comm *);
uint32_t pol_aspath_origin(const uint8_t *, size_t);
/* The LARGE_COMMUNITIES value inside an attrs' unknown blob, or NULL. */
const uint8_t *pol_large_find(const struct rib_attrs *, size_t *len);
/* Is p a local route to keep back, inside an aggregate and not visible? */
int	 pol_aggr_suppressed(const struct pol_aggr *, const struct wr_prefix *);
int	 pol_aggr_equal(const struct pol_aggr *, const struct pol_aggr *);

/* Lookup by name in a list; NULL if none. */
const struct policy		*policy_find(const struct policy *,
				    const char *);
const struct pol_prefix_set	*pol_prefix_set_find(
				    const struct pol_prefix_set *, const char *);
const struct pol_comm_set	*pol_comm_set_find(const struct pol_comm_set *,
				    const char *);

/* Canonical text (peers.conf(5)); parses back to the same. */
/* A quoted string, '"' and '\\' escaped (bgpd/config.c prints so too). */
void	 pol_print_string(const char *, FILE *);
void	 pol_comm_print(const struct pol_comm *, FILE *);
void	 pol_prefix_set_print(const struct pol_prefix_set *, FILE *);
void	 pol_comm_set_print(const struct pol_comm_set *, FILE *);
void	 policy_print(const struct policy *, FILE *);
void	 pol_aggr_print(const struct pol_aggr *, FILE *);
/* Do two policies (NULL: none) say the same thing? */
int	 policy_equal(const struct policy *, const struct policy *);

void	 policy_free(struct policy *);
void	 pol_prefix_set_free(struct pol_prefix_set *);
void	 pol_comm_set_free(struct pol_comm_set *);
void	 pol_aggr_free(struct pol_aggr *);

#endif
