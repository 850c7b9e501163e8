/*
 * bgpd/wrenctl.c: the CLI.  Sends one command line over the control socket
 * and prints the answer.  The daemon renders tables and JSON itself, so this
 * program stays small and its output is exactly what the daemon said.
 *
 * Exit status (INTERFACE.md): 0 success, 1 the daemon answered with an
 * error, 2 usage error (ours, or the daemon's USAGE answer), 3 the daemon
 * cannot be reached or does not answer.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlcmd.h"

#define DEFAULT_SOCKET	"/run/wren/wrend.sock"
#define MAX_LINE	1024
#define ANSWER_TIMEOUT	30	/* seconds: a daemon that hangs is unreachable */

static void
usage(void)
{
	fprintf(stderr, "usage: wrenctl [-j] [-s socket] command ...\n"
	    "commands:\n%s", ctl_cmd_usage);
	exit(2);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { ANSWER_TIMEOUT, 0 };
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "wrenctl: socket path too long: %s\n", path);
		exit(3);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "wrenctl: cannot reach wrend at %s: %s (%s)\n",
		    path, strerror(errno), errno == EACCES ? "is this user in "
		    "the socket's group?" : "is wrend running? Use -s for "
		    "another socket");
		exit(3);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		fprintf(stderr, "wrenctl: SO_RCVTIMEO: %s\n", strerror(errno));
	return fd;
}

static void
ctl_send(int fd, const char *line, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, line, len)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "wrenctl: write: %s\n", strerror(errno));
			exit(3);
		}
		line += n;
		len -= (size_t)n;
	}
}

/* Read the whole answer; the daemon closes the connection after it. */
static char *
ctl_recv(int fd, size_t *lenp)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				fprintf(stderr, "wrenctl: out of memory\n");
				exit(1);
			}
			buf = nbuf;
		}
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "wrenctl: no answer from wrend: %s\n",
			    errno == EAGAIN ? "timed out" : strerror(errno));
			exit(3);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static size_t
build_line(char *line, size_t size, int json, int argc, char *argv[])
{
	size_t len;
	int i;

	len = (size_t)snprintf(line, size, "%s", json ? "json" : "text");
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n') != NULL || len + strlen(argv[i]) + 2 >=
		    size) {
			fprintf(stderr, "wrenctl: command too long\n");
			exit(2);
		}
		len += (size_t)snprintf(line + len, size - len, " %s", argv[i]);
	}
	line[len++] = '\n';
	line[len] = '\0';
	return len;
}

/* Print the daemon's answer; returns the exit status (see the top). */
static int
ctl_answer(const char *ans, size_t alen)
{
	const char *body = strchr(ans, '\n');

	body = body != NULL ? body + 1 : ans + alen;
	if (strncmp(ans, "OK\n", 3) == 0) {
		fwrite(body, 1, alen - (size_t)(body - ans), stdout);
		return 0;
	}
	if (strncmp(ans, "ERROR ", 6) == 0 || strncmp(ans, "USAGE ", 6) == 0) {
		fprintf(stderr, "wrenctl: %.*s\n", (int)(body - ans - 7), ans + 6);
		fwrite(body, 1, alen - (size_t)(body - ans), stderr);
		return ans[0] == 'U' ? 2 : 1;
	}
	if (alen == 0) {
		fprintf(stderr, "wrenctl: wrend closed the connection without "
		    "an answer\n");
		return 3;
	}
	fprintf(stderr, "wrenctl: unexpected answer from wrend\n");
	return 1;
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_SOCKET;
	char line[MAX_LINE + 2], *ans, err[256];
	struct ctl_cmd cmd;
	int ch, json = 0, fd, rc;
	size_t len, alen;

	while ((ch = getopt(argc, argv, "js:h")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	len = build_line(line, sizeof(line), json, argc, argv);
	/* A mistyped command gets its answer without the daemon. */
	if (ctl_cmd_parse(line + 5, &cmd, err, sizeof(err)) == -1) {
		fprintf(stderr, "wrenctl: %s\n", err);
		if (strncmp(err, "usage: ", 7) != 0)
			fprintf(stderr, "commands:\n%s", ctl_cmd_usage);
		return 2;
	}
	fd = ctl_connect(path);
	ctl_send(fd, line, len);
	ans = ctl_recv(fd, &alen);
	close(fd);
	rc = ctl_answer(ans, alen);
	free(ans);
	return rc;
}
