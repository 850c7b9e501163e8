/*
 * bgpd/priv.c: dropping root (wrend -u USER).
 *
 * wrend needs root only to open what it opens at start: TCP port 179, the
 * rtnetlink sockets (SO_RCVBUFFORCE), the control sockets in /run/wren.
 * Once those are open it becomes USER, with USER's group and no
 * supplementary groups, and keeps two capabilities, no more:
 *   CAP_NET_ADMIN         install and remove routes over rtnetlink, and
 *                         SO_RCVBUFFORCE when a reload resizes the buffer
 *   CAP_NET_BIND_SERVICE  listen on port 179 again when a reload adds a
 *                         "listen on" address
 * TCP MD5 and TCP-AO keys (TCP_MD5SIG, TCP_AO_ADD_KEY), GTSM (IP_MINTTL)
 * and IP_TTL need none, so CAP_NET_RAW is not kept.  No-new-privs is set:
 * nothing it could exec would gain any.  The capabilities go through the
 * raw capset(2) system call (no libcap).
 */
#define _GNU_SOURCE	/* setresuid, setresgid */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

#define PRIV_CAPS	((1u << CAP_NET_ADMIN) | (1u << CAP_NET_BIND_SERVICE))

/* Effective and permitted: PRIV_CAPS; inheritable: none. */
static int
priv_capset(uint32_t caps)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct c[2];

	memset(&h, 0, sizeof(h));
	memset(c, 0, sizeof(c));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = 0;
	c[0].effective = c[0].permitted = caps;
	return (int)syscall(SYS_capset, &h, c);
}

static int
priv_setids(const struct passwd *pw)
{
	gid_t gid = pw->pw_gid;

	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1) {
		log_warn("user %s: cannot take group %u", pw->pw_name,
		    (unsigned)gid);
		return -1;
	}
	/* keep the permitted set across setuid; capset trims it below */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("user %s: cannot take uid %u", pw->pw_name,
		    (unsigned)pw->pw_uid);
		return -1;
	}
	return 0;
}

int
priv_drop(const char *user, const char *conf_path)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("user %s: no such user", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_warnx("user %s: is root, refusing to run as it with -u",
		    user);
		return -1;
	}
	if (priv_setids(pw) == -1)
		return -1;
	if (priv_capset(PRIV_CAPS) == -1) {
		log_warn("capset");
		return -1;
	}
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("PR_SET_NO_NEW_PRIVS");
	/* there is no way back: check that it took */
	if (getuid() == 0 || geteuid() == 0 || setuid(0) != -1) {
		log_warnx("user %s: root could be regained", user);
		return -1;
	}
	if (access(conf_path, R_OK) == -1)
		log_warnx("user %s cannot read %s: reload will fail", user,
		    conf_path);
	log_info("running as %s (uid %u, gid %u), keeping CAP_NET_ADMIN and "
	    "CAP_NET_BIND_SERVICE", user, (unsigned)pw->pw_uid,
	    (unsigned)pw->pw_gid);
	return 0;
}
