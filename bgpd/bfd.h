/*
 * bgpd/bfd.h: BFD sessions tied to BGP neighbors (RFC 5880 asynchronous
 * mode; single hop RFC 5881 on UDP 3784, multihop RFC 5883 on UDP 4784;
 * IPv4 and IPv6), in wrend's event loop.  One BFD session per neighbor
 * whose config says "bfd"; the session follows the neighbor's config on
 * reload without touching the BGP session.  The packet codec and the
 * state machine are in bgpd/bfdpkt.h.
 *
 * Ties to BGP (RFC 5882): a session going from Up to Down (other than by
 * the neighbor's AdminDown) takes the BGP session down at once
 * (peer_bfd_down, Cease subcode 10, RFC 9384); while BFD is configured
 * and not Up, BGP does not start (bfd_blocks), unless the neighbor has
 * never sent a BFD packet within BFD_NO_PEER_WAIT seconds.
 */
#ifndef WREN_BFD_H
#define WREN_BFD_H

#include <stdio.h>

struct wrend;
struct peer;
struct wr_addr;
struct bfd;

#define BFD_NO_PEER_WAIT	5	/* s: then BGP starts without BFD */

struct bfd	*bfd_new(struct wrend *);
void		 bfd_free(struct bfd *);
/* Make the BFD sessions what the neighbors' configs say (start, reload). */
void		 bfd_sync(struct bfd *);
/*
 * wrend is stopping: every session goes AdminDown (diag 7), so that the
 * neighbors do not take it for a failure (RFC 5882 §3.2).
 */
void		 bfd_stop(struct bfd *);
/* Must p's BGP session wait for BFD? (configured, not Up, heard from) */
int		 bfd_blocks(struct bfd *, const struct peer *);
/* wrenctl show bfd [ADDRESS]: -1 if only is given and has no session. */
int		 bfd_show(struct bfd *, int json, const struct wr_addr *only,
		    FILE *out);

#endif
