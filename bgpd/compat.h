/*
 * bgpd/compat.h: a BIRD-compatible control socket (compat-socket in
 * peers.conf), so that calico-node's health checks and the stock birdc
 * work against wrend.  BIRD's numbered-reply protocol: a "0001 BIRD ...
 * ready." banner, then any number of command lines, each answered with
 * "NNNN-text" lines (more to follow), " text" continuation lines and a
 * last "NNNN text" line.
 */
#ifndef WREN_COMPAT_H
#define WREN_COMPAT_H

#define COMPAT_MAX_LINE		1024
#define COMPAT_BIRD_VERSION	"2.0.12"

struct wrend;
struct compat;
struct sock_conf;

/* sc: the socket's group, and read-only (configure is refused). */
struct compat	*compat_open(struct wrend *, const char *path,
		    const struct sock_conf *sc);
void		 compat_close(struct compat *);

#endif
