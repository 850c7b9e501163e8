/*
 * rib/export.h: per-neighbor export (Adj-RIB-Out).
 *
 * A rib_out follows the Loc-RIB as a consumer.  It applies the RFC 4271
 * advertisement rules (no route back to the neighbor it came from; the
 * iBGP split-horizon rule of §9.2; eBGP: prepend our AS, next hop self, no
 * LOCAL_PREF, no foreign MED), remembers what it has sent, and queues the
 * prefixes whose advertisement must change.  With route-reflector clients
 * (RFC 4456 §6) routes also pass between iBGP peers, with ORIGINATOR_ID and
 * CLUSTER_LIST.  bgpd drains the queue when the
 * session can take more; the drain hands prefixes over grouped by their
 * interned attribute set, so that one UPDATE carries many prefixes.
 */
#ifndef WREN_EXPORT_H
#define WREN_EXPORT_H

#include "policy.h"
#include "rib.h"

struct rib_export_params {
	uint32_t		 local_as;
	int			 ebgp;
	struct rib_source	*self;		/* the neighbor's own source */
	struct wr_addr		 nexthop_v4;	/* our address on the session */
	struct wr_addr		 nexthop_v6;
	/*
	 * Route reflection (RFC 4456): the neighbor is a client of ours;
	 * cluster_id (host order) is prepended to the CLUSTER_LIST of what
	 * is reflected.
	 */
	int			 rr_client;
	uint32_t		 cluster_id;
	int			 next_hop;	/* RIB_NH_* */
	/*
	 * ADD-PATH send (RFC 7911), RIB_AP_* of the families: every path
	 * this neighbor may have goes out, each with its rib_path.tx_id as
	 * path identifier, through the *_id callbacks.  Other families get
	 * the best path only, with path id 0.
	 */
	int			 add_path;
	/*
	 * Routing policy (rib/policy.h): the export policy, applied after
	 * the RFC 4271 rewrite; without one, policy_required (RFC 8212, an
	 * eBGP neighbor) sends nothing.  env: the aggregates, whose more
	 * specific local routes are kept back, and kernel route interfaces.
	 */
	const struct policy	*policy;
	int			 policy_required;
	const struct policy_env	*env;
	void			(*kick)(void *arg);	/* queue became non-empty */
	void			*kick_arg;
};

/* rib_export_params.next_hop (RFC 4271 §5.1.3) */
#define RIB_NH_DEFAULT	0	/* eBGP: ours; iBGP: kept, ours for local */
#define RIB_NH_SELF	1	/* always ours */
#define RIB_NH_KEEP	2	/* a BGP next hop is never rewritten */

/* rib_export_params.add_path */
#define RIB_AP_V4	0x1
#define RIB_AP_V6	0x2

struct rib_out_cb {
	/* All return 0, or -1 to stop the drain (the rest stays queued). */
	int	(*withdraw)(void *arg, const struct wr_prefix *, size_t n);
	int	(*announce)(void *arg, const struct rib_attrs *,
		    const struct wr_prefix *, size_t n);
	void	*arg;
	/* Only with add_path: prefix v[i] with path identifier ids[i]. */
	int	(*withdraw_id)(void *arg, const struct wr_prefix *,
		    const uint32_t *ids, size_t n);
	int	(*announce_id)(void *arg, const struct rib_attrs *,
		    const struct wr_prefix *, const uint32_t *ids, size_t n);
};

struct rib_out;

struct rib_out	*rib_out_new(struct rib *, const struct rib_export_params *);
void		 rib_out_free(struct rib_out *);
/* Session established: queue the whole Loc-RIB for this neighbor. */
void		 rib_out_start(struct rib_out *, const struct wr_addr *nh_v4,
		    const struct wr_addr *nh_v6);
/*
 * ADD-PATH send for the families in mask (RIB_AP_*), as negotiated (RFC
 * 7911 §4); takes effect at the next rib_out_start().
 */
void		 rib_out_set_add_path(struct rib_out *, int mask);
/* Session down: forget the Adj-RIB-Out, drop the queue, stop following. */
void		 rib_out_stop(struct rib_out *);
/*
 * Route refresh (RFC 2918 §4): send every route again, keeping what is
 * queued (withdrawals included) and the record of what was sent.
 */
void		 rib_out_refresh(struct rib_out *);
/* A new next-hop mode: every prefix is planned again, changes sent. */
void		 rib_out_set_next_hop(struct rib_out *, int next_hop);
/*
 * A new export policy (the old one may be freed after this); with replan,
 * every prefix is planned again (the policy or the env changed) and only
 * the changes are sent.
 */
void		 rib_out_set_policy(struct rib_out *, const struct policy *,
		    int replan);
size_t		 rib_out_pending(const struct rib_out *);
/* Prefixes advertised; with add_path, paths advertised. */
size_t		 rib_out_sent_count(const struct rib_out *);
/*
 * Walk the Adj-RIB-Out as advertised (wrenctl show rib out): each prefix,
 * its path identifier (0 without ADD-PATH) and the attributes as sent, in
 * no particular order; stops when cb returns non-zero.
 */
void		 rib_out_walk(const struct rib_out *, int (*cb)(void *,
		    const struct wr_prefix *, uint32_t,
		    const struct rib_attrs *), void *);
/* Hand over up to budget queued prefixes; returns how many remain queued. */
size_t		 rib_out_drain(struct rib_out *, const struct rib_out_cb *,
		    size_t budget);

#endif
