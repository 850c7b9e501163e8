/* lib/usock.c: see usock.h. */
#include "usock.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void
usock_mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		log_warn("mkdir %s", dir);
}

/*
 * The folder of a control socket must be safe: if others may write to it
 * and the sticky bit does not stop them, or it belongs to someone else
 * (not root, not us), they could replace the socket with theirs between
 * two runs and read what wrenctl sends or answer in wrend's name.  Such a
 * folder is refused, and wrend does not start.
 */
static int
usock_dir_safe(const char *path, const char *what)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) == -1) {
		log_warn("%s folder %s", what, dir);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		log_warnx("%s folder %s is writable by others (mode %04o) "
		    "without the sticky bit: refused", what, dir,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		log_warnx("%s folder %s belongs to uid %u: refused", what,
		    dir, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

int
usock_listen(const char *path, const char *what)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s path too long: %s", what, path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	usock_mkdir_parent(path);
	if (usock_dir_safe(path, what) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("%s socket", what);
		return -1;
	}
	unlink(path);		/* a stale socket from a previous run */
	old = umask(0117);	/* mode 0660 */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 16) == -1) {
		log_warn("%s %s", what, path);
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}
