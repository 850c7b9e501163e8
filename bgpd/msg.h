/*
 * bgpd/msg.h: the BGP-4 message codec (RFC 4271 §4), pure functions over
 * bounds-checked buffers.  Parsers never touch sockets; on a protocol error
 * they fill a struct bgp_err with the NOTIFICATION to send (RFC 4271 §6) or
 * mark an UPDATE treat-as-withdraw (RFC 7606).
 */
#ifndef WREN_MSG_H
#define WREN_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "rib.h"

#define BGP_PORT		179
#define BGP_VERSION		4
#define BGP_HDR_LEN		19
#define BGP_MIN_LEN		19
#define BGP_MAX_LEN		4096
#define BGP_MAX_LEN_EXT		65535	/* RFC 8654 §3 */
#define AS_TRANS		23456	/* RFC 6793 */

/* message types */
#define BGP_OPEN		1
#define BGP_UPDATE		2
#define BGP_NOTIFICATION	3
#define BGP_KEEPALIVE		4
#define BGP_ROUTE_REFRESH	5

/* NOTIFICATION error codes and subcodes, RFC 4271 §4.5 and later RFCs */
#define ERR_HEADER		1
#define  ERR_HDR_SYNC		1
#define  ERR_HDR_LEN		2
#define  ERR_HDR_TYPE		3
#define ERR_OPEN		2
#define  ERR_OPEN_UNSPECIFIC	0	/* a malformed OPEN */
#define  ERR_OPEN_VERSION	1
#define  ERR_OPEN_AS		2
#define  ERR_OPEN_BGPID		3
#define  ERR_OPEN_OPT		4
#define  ERR_OPEN_HOLDTIME	6
#define  ERR_OPEN_CAPA		7
#define ERR_UPDATE		3
#define  ERR_UPD_ATTRLIST	1
#define  ERR_UPD_UNKNWN_WK_ATTR	2
#define  ERR_UPD_MISSING_WK_ATTR 3
#define  ERR_UPD_ATTRFLAGS	4
#define  ERR_UPD_ATTRLEN	5
#define  ERR_UPD_ORIGIN		6
#define  ERR_UPD_NEXTHOP	8
#define  ERR_UPD_OPTATTR	9
#define  ERR_UPD_NETWORK	10
#define  ERR_UPD_ASPATH		11
#define ERR_HOLDTIMER		4
#define ERR_FSM			5
#define ERR_CEASE		6
#define  ERR_CEASE_MAX_PREFIX	1
#define  ERR_CEASE_ADMIN_DOWN	2
#define  ERR_CEASE_PEER_UNCONF	3
#define  ERR_CEASE_ADMIN_RESET	4
#define  ERR_CEASE_CONN_REJECT	5
#define  ERR_CEASE_CONFIG_CHG	6
#define  ERR_CEASE_COLLISION	7
#define  ERR_CEASE_RESOURCES	8
#define  ERR_CEASE_HARD_RESET	9
#define  ERR_CEASE_BFD_DOWN	10	/* RFC 9384 */
#define ERR_RREFRESH		7	/* RFC 7313 §5 */
#define  ERR_RREFRESH_LEN	1

/* ROUTE-REFRESH message subtypes, RFC 7313 §3 */
#define RREFRESH_NORMAL		0
#define RREFRESH_BORR		1
#define RREFRESH_EORR		2

/* path attribute type codes and flags, RFC 4271 §4.3 / §5 */
#define ATTR_ORIGIN		1
#define ATTR_AS_PATH		2
#define ATTR_NEXT_HOP		3
#define ATTR_MED		4
#define ATTR_LOCAL_PREF		5
#define ATTR_ATOMIC_AGGREGATE	6
#define ATTR_AGGREGATOR		7
#define ATTR_COMMUNITIES	8
#define ATTR_ORIGINATOR_ID	9	/* RFC 4456 */
#define ATTR_CLUSTER_LIST	10	/* RFC 4456 */
#define ATTR_MP_REACH_NLRI	14
#define ATTR_MP_UNREACH_NLRI	15
#define ATTR_AS4_PATH		17
#define ATTR_AS4_AGGREGATOR	18
#define ATTR_OPTIONAL		0x80
#define ATTR_TRANSITIVE		0x40
#define ATTR_PARTIAL		0x20
#define ATTR_EXTLEN		0x10

/* capability codes */
#define CAPA_MP			1	/* RFC 4760 */
#define CAPA_ROUTE_REFRESH	2	/* RFC 2918 */
#define CAPA_EXT_NEXTHOP	5	/* RFC 8950 */
#define CAPA_EXT_MSG		6	/* RFC 8654 */
#define CAPA_GRACEFUL_RESTART	64	/* RFC 4724 */
#define CAPA_AS4		65	/* RFC 6793 */
#define CAPA_ADD_PATH		69	/* RFC 7911 */
#define CAPA_ENHANCED_RR	70	/* RFC 7313 */

#define AFI_IPV4		1
#define AFI_IPV6		2
#define SAFI_UNICAST		1

/* bgp_caps.mp bits */
#define BGP_MP_IPV4_UNICAST	0x01
#define BGP_MP_IPV6_UNICAST	0x02

/* RFC 7911 §4: Send/Receive field bits of the ADD-PATH capability */
#define BGP_ADDPATH_RECEIVE	0x01
#define BGP_ADDPATH_SEND	0x02
/*
 * The path identifier Wren sends when it has only one path (the best) to
 * advertise for a prefix (RFC 7911 §3: any value unique per prefix).
 */
#define BGP_ADDPATH_ID_BEST	1

struct bgp_caps {
	uint32_t	mp;		/* BGP_MP_* families announced */
	int		as4;		/* 4-octet AS capability present */
	uint32_t	as4_value;
	int		route_refresh;
	int		enhanced_rr;
	int		ext_msg;	/* RFC 8654 extended messages */
	int		gr;		/* graceful restart capability present */
	uint16_t	gr_time;	/* restart time, seconds */
	uint8_t		gr_flags;	/* R (0x8) and N (0x4) bits */
	uint32_t	gr_fwd;		/* BGP_MP_* with forwarding state kept */
	uint32_t	gr_afs;		/* BGP_MP_* listed (received only) */
	/*
	 * RFC 8950 §3: BGP_MP_* NLRI families that may have an IPv6 next
	 * hop.  Only IPv4 unicast is kept (IPv6 NLRI have one anyway).
	 */
	uint32_t	ext_nh;
	/*
	 * RFC 7911 §4: BGP_MP_* families for which path identifiers are
	 * to be received (the Receive bit) and sent (the Send bit).
	 */
	uint32_t	addpath_rx;
	uint32_t	addpath_tx;
};

struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* 2-octet field; AS_TRANS if large */
	uint16_t	holdtime;
	uint32_t	bgp_id;		/* host order */
	struct bgp_caps	caps;
};

/* What a parser wants sent back (a NOTIFICATION), RFC 4271 §6. */
struct bgp_err {
	uint8_t		code;
	uint8_t		subcode;
	uint8_t		data[64];
	size_t		datalen;
};

struct bgp_notify {
	uint8_t		code;
	uint8_t		subcode;
	const uint8_t	*data;
	size_t		datalen;
};

/*
 * Maximum prefixes one message of at most BGP_MAX_LEN octets can carry (a
 * /0 is one octet of NLRI).  A struct bgp_update made for extended
 * messages (RFC 8654) holds up to bgp_update_max_prefixes(BGP_MAX_LEN_EXT).
 */
#define BGP_MAX_PREFIXES	BGP_MAX_LEN

/* RFC 7606 actions, as reported in bgp_update.events[] */
#define BGP_ACT_DISCARD		1	/* "attribute discard" */
#define BGP_ACT_WITHDRAW	2	/* "treat-as-withdraw" */
#define BGP_ACT_RESET		3	/* "session reset" */
#define BGP_UPD_EVENTS		8	/* kept per message; more are counted */

/* One RFC 7606 action taken while parsing, for the log. */
struct bgp_upd_event {
	uint8_t		attr;		/* type code; 0: not one attribute */
	uint8_t		act;		/* BGP_ACT_* */
	const char	*sec;		/* "RFC 7606 §7.3" style */
};

/*
 * A parsed UPDATE, made by bgp_update_new() for a message size (large:
 * about 200 kB for 4096 octets, 3.3 MB for 65535: not on the stack, and
 * for extended messages only once RFC 8654 is negotiated).  attrs is a template whose pointers
 * refer into the message; intern it before the message buffer goes away.
 *
 * Both arrays hold prefixes of every family the context allows (RFC 4760):
 * withdrawn[] those of the Withdrawn Routes field and of MP_UNREACH_NLRI,
 * nlri[] first the nmp_nlri prefixes of MP_REACH_NLRI (whose next hop is
 * mp_nexthop) and then those of the NLRI field (next hop attrs.nexthop, or
 * mp_nexthop if there was no NEXT_HOP attribute).  A message of max_len
 * octets holds fewer than max_prefixes prefixes in all, so neither array
 * can overflow; a longer body is refused as a Bad Message Length.
 */
struct bgp_update {
	struct wr_prefix	*withdrawn;	/* [max_prefixes] */
	/*
	 * RFC 7911 §3: the path identifier of each prefix of withdrawn[]
	 * and nlri[], 0 for a family without ADD-PATH receive.
	 */
	uint32_t		*withdrawn_id;	/* [max_prefixes] */
	uint32_t		*nlri_id;	/* [max_prefixes] */
	size_t			nwithdrawn;
	struct wr_prefix	*nlri;		/* [max_prefixes] */
	size_t			nnlri;
	size_t			nmp_nlri;	/* nlri[0..nmp_nlri) from MP */
	/*
	 * RFC 2545 §3: a 32-octet next hop is global + link-local.  The
	 * global one is kept; the link-local one only if the global is ::.
	 */
	struct wr_addr		mp_nexthop;
	struct wr_addr		mp_nexthop_ll;	/* af 0: none was sent */
	struct rib_attrs	attrs;
	int			has_attrs;
	/*
	 * RFC 7606 §2: the attributes were malformed in a way that allows the
	 * session to stay: every NLRI in the message is to be withdrawn.
	 */
	int			treat_as_withdraw;
	int			end_of_rib;	/* BGP_MP_* (RFC 4724 §2) */
	/* RFC 7606 §6: what was done, for the log and the counters */
	struct bgp_upd_event	events[BGP_UPD_EVENTS];
	size_t			nevents;	/* may exceed BGP_UPD_EVENTS */
	size_t			ndiscard;	/* attributes discarded */
	/*
	 * Scratch for the 2-to-4-octet AS_PATH rewrite (RFC 6793) and the
	 * unknown attributes passed on: twice the message size.
	 */
	uint8_t			*aspath_buf;
	size_t			aspath_buf_len;
	size_t			max_prefixes;	/* room in withdrawn[], nlri[] */
	size_t			max_len;	/* the message size it is for */
};

/*
 * A bgp_update able to hold any UPDATE of up to max_len octets
 * (BGP_MAX_LEN, or BGP_MAX_LEN_EXT with RFC 8654), in one allocation;
 * NULL when out of memory.  Free it with free().
 */
struct bgp_update	*bgp_update_new(size_t max_len);
size_t			 bgp_update_max_prefixes(size_t max_len);

/* Parse context: what was negotiated with this neighbor. */
struct bgp_parse_ctx {
	int		as4;		/* both sides sent CAPA_AS4 */
	int		ebgp;
	/*
	 * BGP_MP_* families negotiated (RFC 4760 §8); 0 means IPv4 unicast
	 * only.  NLRI of other families are checked and ignored.
	 */
	uint32_t	mp;
	uint32_t	ext_nh;		/* RFC 8950: BGP_MP_* both announced */
	/*
	 * RFC 8654: the largest UPDATE (and ROUTE-REFRESH) to receive and to
	 * send, BGP_MAX_LEN_EXT if both sides announced extended messages;
	 * 0 means BGP_MAX_LEN.
	 */
	size_t		max_len;
	/*
	 * RFC 7911 §4: BGP_MP_* families whose NLRI carry a path identifier,
	 * as received (we announced Receive, the peer Send) and as sent (we
	 * announced Send, the peer Receive).
	 */
	uint32_t	addpath_rx;
	uint32_t	addpath_tx;
	/*
	 * Encoding: our link-local address, sent after a global IPv6 next
	 * hop as a 32-octet next hop (RFC 2545 §3); af 0 for 16 octets.
	 */
	struct wr_addr	nh_ll;
};

/*
 * Validate a 19-byte header.  Returns 0 with *type and *len set, or -1
 * with err set (RFC 4271 §6.1).
 */
int	bgp_hdr_parse(const uint8_t *hdr, uint8_t *type, uint16_t *len,
	    struct bgp_err *);
/*
 * The same with the negotiated maximum (RFC 8654 §4): up to max_len octets
 * for all types but OPEN and KEEPALIVE, which stay within BGP_MAX_LEN.
 */
int	bgp_hdr_parse_max(const uint8_t *hdr, size_t max_len, uint8_t *type,
	    uint16_t *len, struct bgp_err *);

/* The message bodies: b covers the body only (after the header). */
int	bgp_open_parse(struct ibuf *b, struct bgp_open *, struct bgp_err *);
int	bgp_update_parse(struct ibuf *b, const struct bgp_parse_ctx *,
	    struct bgp_update *, struct bgp_err *);
int	bgp_notify_parse(struct ibuf *b, struct bgp_notify *);
int	bgp_keepalive_parse(struct ibuf *b, struct bgp_err *);

/*
 * Encoders write a whole message, header included; they return 0, or -1 if
 * the wbuf is too small (nothing usable written).
 */
int	bgp_open_encode(struct wbuf *, const struct bgp_open *);
int	bgp_keepalive_encode(struct wbuf *);
int	bgp_notify_encode(struct wbuf *, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen);
/*
 * UPDATE packing: put as many prefixes as fit into one message of at most
 * BGP_MAX_LEN bytes (announcements: ctx->max_len, RFC 8654) and return how many were packed (0 if n == 0, or if
 * the prefixes cannot be sent with these attributes).  One message takes a
 * run of prefixes of one family (that of p[0]).  IPv4 prefixes with an
 * IPv4 next hop go in the classic fields; IPv6 prefixes in MP_REACH_NLRI
 * and MP_UNREACH_NLRI (RFC 4760); IPv4 prefixes with an IPv6 next hop in
 * MP_REACH_NLRI if ctx->ext_nh allows it (RFC 8950 §3).
 */
size_t	bgp_update_encode_withdraw(struct wbuf *, const struct wr_prefix *,
	    size_t n);
/* The same in messages of up to max_len octets (RFC 8654). */
size_t	bgp_update_encode_withdraw_max(struct wbuf *, size_t max_len,
	    const struct wr_prefix *, size_t n);
size_t	bgp_update_encode_announce(struct wbuf *, const struct rib_attrs *,
	    const struct bgp_parse_ctx *, const struct wr_prefix *, size_t n);
/*
 * ADD-PATH (RFC 7911 §3): the same, with a path identifier before each
 * prefix of a family in ctx->addpath_tx: ids[i] for p[i], or
 * BGP_ADDPATH_ID_BEST for all if ids is NULL.  Other families: as above.
 */
size_t	bgp_update_encode_announce_id(struct wbuf *, const struct rib_attrs *,
	    const struct bgp_parse_ctx *, const struct wr_prefix *,
	    const uint32_t *ids, size_t n);
size_t	bgp_update_encode_withdraw_id(struct wbuf *,
	    const struct bgp_parse_ctx *, const struct wr_prefix *,
	    const uint32_t *ids, size_t n);
/* An End-of-RIB marker for IPv4 unicast (RFC 4724 §2): an empty UPDATE. */
int	bgp_update_encode_eor(struct wbuf *);
/* The End-of-RIB of another family: an empty MP_UNREACH_NLRI (§2). */
int	bgp_update_encode_eor_mp(struct wbuf *, uint16_t afi, uint8_t safi);

/*
 * ROUTE-REFRESH (RFC 2918, RFC 7313): b covers the 4-byte body.  An unknown
 * subtype is returned as is; RFC 7313 §5 says to ignore such a message.
 */
struct bgp_rrefresh {
	uint16_t	afi;
	uint8_t		subtype;	/* RREFRESH_* */
	uint8_t		safi;
};

int	bgp_rrefresh_parse(struct ibuf *b, struct bgp_rrefresh *,
	    struct bgp_err *);
int	bgp_rrefresh_encode(struct wbuf *, const struct bgp_rrefresh *);

/*
 * Building blocks shared by the encoders: bgp_msg_begin() writes a header
 * with the length left open and returns its offset (or -1);
 * bgp_msg_end() fills in the length, or on overflow (of the wbuf or of
 * BGP_MAX_LEN) truncates the wbuf back to off and returns -1.
 */
long	bgp_msg_begin(struct wbuf *, uint8_t type);
int	bgp_msg_end(struct wbuf *, long off);
/* The same with a limit other than BGP_MAX_LEN (RFC 8654). */
int	bgp_msg_end_max(struct wbuf *, long off, size_t max_len);
/* An attribute's name ("MULTI_EXIT_DISC"), or NULL if Wren has none. */
const char	*bgp_attr_name(uint8_t type);
/* "treat-as-withdraw" and so on, for BGP_ACT_* */
const char	*bgp_act_name(uint8_t act);
/* Fill err; data beyond sizeof(err->data) is cut off. */
void	bgp_err_set(struct bgp_err *, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen);
/* BGP_MP_* bit of an AFI/SAFI pair, 0 for a family Wren does not know. */
uint32_t	bgp_afi_safi_mp(uint16_t afi, uint8_t safi);

const char	*bgp_msg_name(uint8_t type);
/* "Cease/Administrative Reset" style text for logs and show neighbors. */
const char	*bgp_err_str(uint8_t code, uint8_t subcode, char *buf,
		    size_t len);

#endif
