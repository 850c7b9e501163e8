/*
 * lib/addr.h: IPv4/IPv6 addresses and prefixes as plain values.
 * A wr_prefix always has its host bits zeroed (prefix_mask) once it is in a
 * table, so two equal prefixes compare equal byte for byte.
 */
#ifndef WREN_ADDR_H
#define WREN_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WR_ADDRSTRLEN	INET6_ADDRSTRLEN
#define WR_PFXSTRLEN	(INET6_ADDRSTRLEN + 4)

struct wr_addr {
	uint8_t	af;		/* AF_INET, AF_INET6, or 0 for none */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		b[16];
	};
};

struct wr_prefix {
	struct wr_addr	addr;
	uint8_t		len;
};

int		 addr_parse(const char *, struct wr_addr *);
const char	*addr_ntop(const struct wr_addr *, char *, size_t);
int		 addr_cmp(const struct wr_addr *, const struct wr_addr *);
int		 addr_is_set(const struct wr_addr *);
size_t		 addr_bits(uint8_t af);
void		 addr_from_v4(struct wr_addr *, uint32_t hostorder);
/* A BGP identifier or cluster id (host order) as a dotted quad. */
#define WR_IDSTRLEN	16
const char	*addr_id_ntop(uint32_t hostorder, char *, size_t);

int		 prefix_parse(const char *, struct wr_prefix *);
const char	*prefix_ntop(const struct wr_prefix *, char *, size_t);
int		 prefix_cmp(const struct wr_prefix *, const struct wr_prefix *);
void		 prefix_mask(struct wr_prefix *);
int		 prefix_contains(const struct wr_prefix *, const struct wr_addr *);

int	addr_to_sockaddr(const struct wr_addr *, uint16_t port,
	    struct sockaddr_storage *, socklen_t *);
int	addr_from_sockaddr(const struct sockaddr *, struct wr_addr *,
	    uint16_t *port);

#endif
