/* lib/addr.c: see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
addr_parse(const char *s, struct wr_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->af = AF_INET6;
		return 0;
	}
	return -1;
}

const char *
addr_ntop(const struct wr_addr *a, char *buf, size_t len)
{
	if (a->af != AF_INET && a->af != AF_INET6) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (inet_ntop(a->af, a->b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

size_t
addr_bits(uint8_t af)
{
	return af == AF_INET6 ? 128 : 32;
}

int
addr_cmp(const struct wr_addr *a, const struct wr_addr *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->b, b->b, a->af == AF_INET6 ? 16 : 4);
}

int
addr_is_set(const struct wr_addr *a)
{
	return a->af == AF_INET || a->af == AF_INET6;
}

void
addr_from_v4(struct wr_addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	a->v4.s_addr = htonl(v);
}

void
prefix_mask(struct wr_prefix *p)
{
	size_t nbytes = addr_bits(p->addr.af) / 8;
	size_t i;

	for (i = 0; i < nbytes; i++) {
		size_t bit = i * 8;

		if (bit >= p->len)
			p->addr.b[i] = 0;
		else if (bit + 8 > p->len)
			p->addr.b[i] &= (uint8_t)(0xff << (8 - (p->len - bit)));
	}
	for (; i < sizeof(p->addr.b); i++)
		p->addr.b[i] = 0;
}

const char *
addr_id_ntop(uint32_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff,
	    (id >> 8) & 0xff, id & 0xff);
	return buf;
}

int
prefix_parse(const char *s, struct wr_prefix *p)
{
	char tmp[WR_PFXSTRLEN], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (addr_parse(tmp, &p->addr) == -1)
		return -1;
	if (slash == NULL) {
		p->len = (uint8_t)addr_bits(p->addr.af);
		return 0;
	}
	/* Digits only: strtol alone would take "+8", " 8" and "-0". */
	if (*slash < '0' || *slash > '9')
		return -1;
	len = strtol(slash, &end, 10);
	if (*end != '\0' || len < 0 ||
	    (size_t)len > addr_bits(p->addr.af))
		return -1;
	p->len = (uint8_t)len;
	prefix_mask(p);
	return 0;
}

const char *
prefix_ntop(const struct wr_prefix *p, char *buf, size_t len)
{
	char a[WR_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", addr_ntop(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

int
prefix_cmp(const struct wr_prefix *a, const struct wr_prefix *b)
{
	int r = addr_cmp(&a->addr, &b->addr);

	if (r != 0)
		return r;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

int
prefix_contains(const struct wr_prefix *p, const struct wr_addr *a)
{
	struct wr_prefix q;

	if (p->addr.af != a->af)
		return 0;
	q.addr = *a;
	q.len = p->len;
	prefix_mask(&q);
	return addr_cmp(&q.addr, &p->addr) == 0;
}

int
addr_to_sockaddr(const struct wr_addr *a, uint16_t port,
    struct sockaddr_storage *ss, socklen_t *slen)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->v4;
		*slen = sizeof(*sin);
		return 0;
	}
	if (a->af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->v6;
		*slen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
addr_from_sockaddr(const struct sockaddr *sa, struct wr_addr *a,
    uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		a->af = AF_INET;
		a->v4 = sin->sin_addr;
		if (port != NULL)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)sa;

		/* An IPv4-mapped peer is an IPv4 peer. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->af = AF_INET;
			memcpy(&a->v4, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			a->af = AF_INET6;
			a->v6 = sin6->sin6_addr;
		}
		if (port != NULL)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -1;
}
