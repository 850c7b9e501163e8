/*
 * bgpd/config.h: the parsed peers.conf (grammar in man/peers.conf.5 and
 * INTERFACE.md).  The parser reports every error as "FILE:LINE: message",
 * keeps going to find the rest, and never half-applies a bad file.
 */
#ifndef WREN_CONFIG_H
#define WREN_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "policy.h"

#define CONF_DEFAULT_FILE	"/etc/wren/peers.conf"
#define CONF_DEFAULT_SOCKET	"/run/wren/wrend.sock"
#define CONF_MAX_PATTERNS	16
#define CONF_PATTERN_LEN	32
#define CONF_NAME_LEN		64
#define CONF_PATH_LEN		108	/* sun_path */
#define CONF_MAX_TABLES		16
#define CONF_IFNAME_LEN		16	/* IFNAMSIZ */
#define CONF_MAX_MULTIPATH	16	/* KR_MAX_NEXTHOPS */

struct listen_conf {
	struct wr_addr		 addr;	/* af 0: all addresses */
	uint16_t		 port;
	struct listen_conf	*next;
};

struct kernel_conf {
	char		learn[CONF_MAX_PATTERNS][CONF_PATTERN_LEN];
	int		nlearn;
	uint8_t		install_proto;	/* default 186 */
	uint32_t	metric;		/* default 32 */
	int		persist;	/* default 1 */
	/* learning: what else is a local route */
	uint8_t		learn_proto[32];	/* bitmap of rtnetlink protocols */
	uint32_t	learn_tables[CONF_MAX_TABLES];	/* default { 254 } */
	int		nlearn_tables;
	int		learn_blackhole;	/* RTN_BLACKHOLE routes */
	int		learn_unreachable;	/* RTN_UNREACHABLE, RTN_PROHIBIT */
	/* installing */
	uint32_t	install_table;		/* default 254 (main) */
	int		install_onlink;		/* RTNH_F_ONLINK on next hops */
	char		install_device[CONF_IFNAME_LEN];	/* "" = none */
	int		multipath;		/* max ECMP next hops, default 16 */
	/* install policy "NAME": which routes, which metric (rib/policy.h) */
	char		install_policy[POL_NAME_LEN];	/* "" = all */
	const struct policy *install_pol;	/* resolved */
	int		install_off;		/* install nothing (benchmarks) */
	/* the event socket */
	uint32_t	rcvbuf;			/* default 8 MiB */
	uint32_t	safety_redump;		/* s; 0 (default) = off */
};

/* Is rtnetlink protocol p in the learn protocol set? */
#define CONF_LEARN_PROTO(k, p) \
	(((k)->learn_proto[(uint8_t)(p) >> 3] >> ((p) & 7)) & 1)

struct gr_conf {
	int		enabled;	/* default 1 */
	uint16_t	restart_time;	/* default 120 */
	uint16_t	stale_time;	/* default 360 */
	uint16_t	eor_wait;	/* default 10: End-of-RIB wait */
};

#define CONF_KEY_LEN		80	/* TCP_MD5SIG_MAXKEYLEN, TCP_AO_MAXKEYLEN */

/* neighbor_conf.next_hop: RFC 4271 §5.1.3 rewriting */
#define CONF_NH_DEFAULT	0	/* eBGP self; iBGP keep (self for local) */
#define CONF_NH_SELF	1
#define CONF_NH_KEEP	2

/* TCP-AO (RFC 5925) with one master key tuple; algorithms RFC 5926 */
#define CONF_AO_HMAC_SHA1	1
#define CONF_AO_HMAC_SHA256	2
#define CONF_AO_AES_128_CMAC	3

struct ao_conf {
	int		alg;		/* CONF_AO_*, 0: TCP-AO off */
	uint8_t		send_id;	/* key-id: our KeyID */
	uint8_t		recv_id;	/* rnext-id: the neighbor's KeyID */
	char		password[CONF_KEY_LEN];
};

/* The AS we present to a neighbor (its own local-as, or the global one). */
#define CONF_LOCAL_AS(c, nb)	((nb)->local_as != 0 ? (nb)->local_as : \
				    (c)->local_as)

/* neighbor_conf.families: the same bits as BGP_MP_* in bgpd/msg.h */
#define CONF_FAM_IPV4	0x01
#define CONF_FAM_IPV6	0x02

/* neighbor_conf.add_path: the ADD-PATH directions (RFC 7911 §4) */
#define CONF_ADDPATH_RECEIVE	0x01
#define CONF_ADDPATH_SEND	0x02

/* neighbor_conf.bfd: RFC 5880, single hop RFC 5881, multihop RFC 5883 */
#define CONF_BFD_INTERVAL	300	/* ms */
#define CONF_BFD_MULT		3
#define CONF_BFD_KEY_LEN	21	/* 20 octets (SHA1), NUL */
/* authentication: the RFC 5880 §4.1 Auth Type numbers */
#define CONF_BFD_AUTH_SIMPLE	1
#define CONF_BFD_AUTH_SHA1	4	/* keyed SHA1 */
#define CONF_BFD_AUTH_MSHA1	5	/* meticulous keyed SHA1 */

struct bfd_conf {
	int		enabled;
	uint32_t	interval;	/* ms: desired TX and required RX */
	uint8_t		multiplier;
	int		multihop;	/* UDP 4784 instead of 3784 */
	uint8_t		min_ttl;	/* multihop: lowest TTL taken, 0 any */
	int		auth;		/* CONF_BFD_AUTH_*, 0: none */
	uint8_t		key_id;
	char		password[CONF_BFD_KEY_LEN];
};

struct neighbor_conf {
	struct wr_addr		 addr;
	uint32_t		 remote_as;
	int			 passive;
	uint16_t		 port;		/* default 179 */
	uint16_t		 hold_time;	/* default 90; 0 or >= 3 */
	uint16_t		 keepalive;	/* default 0: hold_time / 3 */
	uint16_t		 connect_retry;	/* default 5 s */
	char			 name[CONF_NAME_LEN];	/* default "" */
	char			 description[CONF_NAME_LEN];
	/* CONF_FAM_*: address families to carry, default both (RFC 4760) */
	uint32_t		 families;
	/* our IPv6 next hop for IPv6 routes over IPv4 sessions; af 0: none */
	struct wr_addr		 next_hop_v6;
	/* transport (RFC 2385, RFC 5925, RFC 5082) */
	char			 password[CONF_KEY_LEN];	/* "": no MD5 */
	struct ao_conf		 ao;
	uint8_t			 ttl_security;	/* hops, 0: off (GTSM) */
	uint8_t			 multihop;	/* eBGP TTL, 0: default */
	struct wr_addr		 source;	/* af 0: any */
	/* what we present and accept */
	uint32_t		 local_as;	/* 0: the global local-as */
	uint8_t			 allow_local_as;	/* our AS N times */
	int			 next_hop;	/* CONF_NH_* */
	/* RFC 4486 §4: maximum number of prefixes, 0: none */
	uint32_t		 max_prefix;
	int			 max_prefix_warn;	/* warning-only */
	uint16_t		 max_prefix_restart;	/* minutes, 0: reload */
	int			 rr_client;	/* RFC 4456: a reflector client */
	int			 add_path;	/* RFC 7911: CONF_ADDPATH_* */
	struct bfd_conf		 bfd;		/* BFD (bgpd/bfd.c) */
	/* import/export policy "NAME" ("": none, RFC 8212 for eBGP) */
	char			 import_policy[POL_NAME_LEN];
	char			 export_policy[POL_NAME_LEN];
	const struct policy	*import_pol;	/* resolved in the config */
	const struct policy	*export_pol;
	int			 import_line, export_line;
	int			 line;		/* where it was defined */
	struct neighbor_conf	*next;
};

/* static PREFIX blackhole | via ADDRESS: a route source of its own */
struct static_conf {
	struct wr_prefix	 prefix;
	struct wr_addr		 via;		/* af 0: blackhole */
	int			 line;
	struct static_conf	*next;
};

/* A UNIX socket's owner group (chown) and access (bgpd/control.c). */
struct sock_conf {
	char			 group[CONF_NAME_LEN];	/* as written */
	int			 has_gid;	/* 0: group left alone */
	unsigned		 gid;
	int			 readonly;	/* refuse commands that change */
};

struct wren_config {
	char			 file[CONF_PATH_LEN * 2];
	uint32_t		 router_id;	/* host order; 0 = unset */
	uint32_t		 cluster_id;	/* RFC 4456; 0 = router_id */
	uint32_t		 local_as;
	struct listen_conf	*listen;	/* NULL: all addresses, 179 */
	char			 control_socket[CONF_PATH_LEN];	/* "" = unset */
	char			 compat_socket[CONF_PATH_LEN];	/* "" = off */
	char			 user[CONF_NAME_LEN];	/* "" = stay root */
	char			 control_ro_socket[CONF_PATH_LEN]; /* "" = off */
	struct sock_conf	 control_sock;
	struct sock_conf	 control_ro_sock;
	struct sock_conf	 compat_sock;
	int			 log_level;	/* LOG_* priority; 0: default */
	struct wr_addr		 metrics_addr;	/* bgpd/metrics.c; af 0: any */
	uint16_t		 metrics_port;	/* 0: no metrics endpoint */
	struct kernel_conf	 kernel;
	struct gr_conf		 gr;
	struct neighbor_conf	*neighbors;	/* in file order */
	/* routing policy (rib/policy.h), in file order */
	struct pol_prefix_set	*prefix_sets;
	struct pol_comm_set	*comm_sets;
	struct policy		*policies;
	struct pol_aggr		*aggregates;
	struct static_conf	*statics;
};

/*
 * Parse a file or a buffer.  Errors go to errf, one "FILE:LINE: message" per
 * line.  Returns the config, or NULL if there was any error.
 */
struct wren_config	*config_parse_file(const char *path, FILE *errf);
struct wren_config	*config_parse_buf(const char *name, const char *text,
			    size_t len, FILE *errf);
void			 config_free(struct wren_config *);
struct neighbor_conf	*config_find_neighbor(const struct wren_config *,
			    const struct wr_addr *);
/* Do two neighbor definitions need a new session? (reload) */
int			 config_neighbor_differs(const struct neighbor_conf *,
			    const struct neighbor_conf *);
/* The effective config, defaults included, in a form that parses back. */
void			 config_print(const struct wren_config *, FILE *);
/* "hmac-sha1", ... for CONF_AO_* */
const char		*config_ao_alg_name(int alg);

#endif
