/*
 * bgpd/priv.h: dropping root once every socket is open (wrend -u USER).
 */
#ifndef WREN_PRIV_H
#define WREN_PRIV_H

/*
 * Become user (its uid and primary group, no supplementary groups) and keep
 * only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE.  Returns 0, or -1 (logged)
 * if any step failed: the caller must then not go on.  conf_path is only
 * checked for readability (a warning: reload would fail).
 */
int	priv_drop(const char *user, const char *conf_path);

#endif
