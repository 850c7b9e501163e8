/*
 * tests/unit/test_config.c: the peers.conf parser.  Error messages are part
 * of the user contract ("wrend -n" prints them), so every error case checks
 * the exact "FILE:LINE: message" text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif

static void	round_trip(const char *);

/* Two lines that make a file valid; error cases start at line 3. */
#define H	"router-id 10.0.0.1\nlocal-as 65000\n"

static void
check_errors(const char *text, const char *expect)
{
	struct wren_config *c;
	char *err;

	c = tu_parse(text, &err);
	if (strcmp(err, expect) != 0)
		fail_msg("input:\n%s\nexpected:\n%sgot:\n%s", text, expect, err);
	assert_null(c);
	free(err);
}

static uint32_t
ip4(const char *s)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, s, &in), 1);
	return ntohl(in.s_addr);
}

static struct wr_addr
addr(const char *s)
{
	struct wr_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct neighbor_conf *
nth_neighbor(const struct wren_config *c, int n)
{
	struct neighbor_conf *nb = c->neighbors;

	while (nb != NULL && n-- > 0)
		nb = nb->next;
	assert_non_null(nb);
	return nb;
}

static int
count_neighbors(const struct wren_config *c)
{
	const struct neighbor_conf *nb;
	int n = 0;

	for (nb = c->neighbors; nb != NULL; nb = nb->next)
		n++;
	return n;
}

/* ---- valid files ------------------------------------------------------- */

static void
test_interface_example(void **state)
{
	struct wren_config *c;
	struct neighbor_conf *nb;
	char *err = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&err, &n);
	c = config_parse_file(TEST_DATA_DIR "/valid-interface.conf", f);
	fclose(f);
	assert_string_equal(err, "");
	free(err);
	assert_non_null(c);
	assert_string_equal(c->file, TEST_DATA_DIR "/valid-interface.conf");
	assert_int_equal(c->router_id, ip4("198.18.0.1"));
	assert_int_equal(c->local_as, 64512);
	assert_non_null(c->listen);
	assert_int_equal(c->listen->addr.af, AF_INET);
	assert_int_equal(ntohl(c->listen->addr.v4.s_addr), ip4("198.18.0.1"));
	assert_int_equal(c->listen->port, 179);
	assert_null(c->listen->next);
	assert_string_equal(c->control_socket, "/run/wren/wrend.sock");
	assert_int_equal(c->kernel.nlearn, 1);
	assert_string_equal(c->kernel.learn[0], "cali*");
	assert_int_equal(c->kernel.install_proto, 186);
	assert_int_equal(c->kernel.metric, 32);
	assert_int_equal(c->kernel.persist, 1);
	assert_int_equal(c->gr.enabled, 1);
	assert_int_equal(c->gr.restart_time, 120);
	assert_int_equal(c->gr.stale_time, 360);
	assert_int_equal(c->gr.eor_wait, 10);
	assert_int_equal(count_neighbors(c), 2);
	nb = nth_neighbor(c, 0);
	assert_int_equal(ntohl(nb->addr.v4.s_addr), ip4("198.18.0.2"));
	assert_int_equal(nb->remote_as, 64512);
	assert_int_equal(nb->passive, 0);
	assert_int_equal(nb->line, 16);
	nb = nth_neighbor(c, 1);
	assert_int_equal(ntohl(nb->addr.v4.s_addr), ip4("198.18.0.3"));
	assert_int_equal(nb->passive, 1);
	assert_int_equal(nb->line, 20);
	config_free(c);
}

static void
test_defaults(void **state)
{
	struct wren_config *c = tu_parse_ok(H "neighbor 10.0.0.2 {\n"
	    "remote-as 65001\n}\n");
	struct neighbor_conf *nb = c->neighbors;
	int i;

	assert_int_equal(c->router_id, ip4("10.0.0.1"));
	assert_int_equal(c->local_as, 65000);
	assert_null(c->listen);
	assert_string_equal(c->control_socket, "");
	assert_string_equal(c->compat_socket, "");
	assert_int_equal(c->kernel.nlearn, 0);
	assert_int_equal(c->kernel.install_proto, 186);
	assert_int_equal(c->kernel.metric, 32);
	assert_int_equal(c->kernel.persist, 1);
	for (i = 0; i < 256; i++)
		assert_false(CONF_LEARN_PROTO(&c->kernel, i));
	assert_int_equal(c->kernel.nlearn_tables, 1);
	assert_int_equal(c->kernel.learn_tables[0], 254);
	assert_int_equal(c->kernel.learn_blackhole, 0);
	assert_int_equal(c->kernel.learn_unreachable, 0);
	assert_int_equal(c->kernel.install_table, 254);
	assert_int_equal(c->kernel.install_onlink, 0);
	assert_string_equal(c->kernel.install_device, "");
	assert_int_equal(c->kernel.multipath, 16);
	assert_int_equal(c->kernel.rcvbuf, 8 * 1024 * 1024);
	assert_int_equal(c->kernel.safety_redump, 0);
	assert_int_equal(c->gr.enabled, 1);
	assert_int_equal(c->gr.restart_time, 120);
	assert_int_equal(c->gr.stale_time, 360);
	assert_int_equal(nb->remote_as, 65001);
	assert_int_equal(nb->passive, 0);
	assert_int_equal(nb->port, 179);
	assert_int_equal(nb->hold_time, 90);
	assert_int_equal(nb->keepalive, 0);
	assert_int_equal(nb->connect_retry, 5);
	assert_string_equal(nb->name, "");
	assert_string_equal(nb->description, "");
	assert_int_equal(nb->line, 3);
	assert_null(nb->next);
	config_free(c);
}

static const char full_conf[] =
    "# every keyword, none at its default\n"
    "router-id 192.0.2.1\n"
    "local-as 1.10\t# asdot: 65546\n"
    "listen on *\n"
    "listen on 192.0.2.1 port 1179\n"
    "listen on 2001:db8::1 port 179\n"
    "control-socket \"/tmp/wren \\\"test\\\".sock\"\n"
    "compat-socket \"/tmp/bird.ctl\"\n"
    "kernel {\n"
    "  learn interface \"cali*\"\n"
    "  learn interface \"tap?_x.y-z\"\n"
    "  install protocol 200\n"
    "  install metric 0\n"
    "  persist off\n"
    "}\n"
    "graceful-restart {\n"
    "  restart-time 4095\n"
    "  stale-time 65535\n"
    "  eor-wait 3600\n"
    "  enabled\n"
    "}\n"
    "neighbor 192.0.2.1 {\n"
    "  remote-as 4294967295\n"
    "  passive\n"
    "  port 1179\n"
    "  hold-time 3\n"
    "  keepalive 1\n"
    "  connect-retry 65535\n"
    "  name \"Mesh_192_0_2_1\"\n"
    "  description \"back\\\\slash and # not a comment\"\n"
    "}\n"
    "neighbor 2001:db8::2 { remote-as 65000 }\n"
    "neighbor ::ffff:192.0.2.3 {\n"
    "  remote-as 65000\n"
    "  hold-time 0\n"
    "  keepalive 100\t# allowed: no keepalives with hold 0\n"
    "  passive off }\n";

static void
test_every_keyword(void **state)
{
	struct wren_config *c = tu_parse_ok(full_conf);
	struct neighbor_conf *nb;
	struct listen_conf *l;

	assert_int_equal(c->router_id, ip4("192.0.2.1"));
	assert_int_equal(c->local_as, 65546);
	l = c->listen;
	assert_int_equal(l->addr.af, 0);
	assert_int_equal(l->port, 179);
	l = l->next;
	assert_int_equal(l->addr.af, AF_INET);
	assert_int_equal(l->port, 1179);
	l = l->next;
	assert_int_equal(l->addr.af, AF_INET6);
	assert_null(l->next);
	assert_string_equal(c->control_socket, "/tmp/wren \"test\".sock");
	assert_string_equal(c->compat_socket, "/tmp/bird.ctl");
	assert_int_equal(c->kernel.nlearn, 2);
	assert_string_equal(c->kernel.learn[1], "tap?_x.y-z");
	assert_int_equal(c->kernel.install_proto, 200);
	assert_int_equal(c->kernel.metric, 0);
	assert_int_equal(c->kernel.persist, 0);
	assert_int_equal(c->gr.enabled, 1);
	assert_int_equal(c->gr.restart_time, 4095);
	assert_int_equal(c->gr.stale_time, 65535);
	assert_int_equal(c->gr.eor_wait, 3600);
	assert_int_equal(count_neighbors(c), 3);
	/* A neighbor may have the router id's address: they are unrelated. */
	nb = nth_neighbor(c, 0);
	assert_int_equal(ntohl(nb->addr.v4.s_addr), ip4("192.0.2.1"));
	assert_int_equal(nb->remote_as, 4294967295U);
	assert_int_equal(nb->passive, 1);
	assert_int_equal(nb->port, 1179);
	assert_int_equal(nb->hold_time, 3);
	assert_int_equal(nb->keepalive, 1);
	assert_int_equal(nb->connect_retry, 65535);
	assert_string_equal(nb->name, "Mesh_192_0_2_1");
	assert_string_equal(nb->description,
	    "back\\slash and # not a comment");
	nb = nth_neighbor(c, 1);
	assert_int_equal(nb->addr.af, AF_INET6);
	assert_int_equal(nb->line, 32);
	/* A v4-mapped neighbor is an IPv4 neighbor, as accept() reports it. */
	nb = nth_neighbor(c, 2);
	assert_int_equal(nb->addr.af, AF_INET);
	assert_int_equal(ntohl(nb->addr.v4.s_addr), ip4("192.0.2.3"));
	assert_int_equal(nb->hold_time, 0);
	assert_int_equal(nb->keepalive, 100);
	assert_int_equal(nb->passive, 0);
	config_free(c);
}

static void
test_syntax_variants(void **state)
{
	struct wren_config *c;

	/* CRLF, no final newline, blank lines, comments everywhere. */
	c = tu_parse_ok("# hello\r\n\r\nrouter-id 10.0.0.1\r\n"
	    "local-as 65000 # x\r\n  \t\nkernel { # c\r\n persist off\r\n}"
	    "\r\ngraceful-restart off");
	assert_int_equal(c->kernel.persist, 0);
	assert_int_equal(c->gr.enabled, 0);
	config_free(c);
	/* One-line blocks and '}' after the last statement. */
	c = tu_parse_ok(H "kernel { persist off }\ngraceful-restart { "
	    "restart-time 5 }\nneighbor 10.0.0.2 { remote-as 1\n"
	    "passive }\n");
	assert_int_equal(c->kernel.persist, 0);
	assert_int_equal(c->gr.restart_time, 5);
	assert_int_equal(c->neighbors->passive, 1);
	config_free(c);
	c = tu_parse_ok(H "graceful-restart on\n");
	assert_int_equal(c->gr.enabled, 1);
	config_free(c);
	c = tu_parse_ok(H "graceful-restart {\nenabled off\n}\n");
	assert_int_equal(c->gr.enabled, 0);
	config_free(c);
	c = tu_parse_ok(H "listen on 0.0.0.0\nlisten on :: port 1000\n");
	assert_int_equal(c->listen->addr.af, 0);
	assert_int_equal(c->listen->next->addr.af, 0);
	assert_int_equal(c->listen->next->port, 1000);
	config_free(c);
	/* A brace or a quote in a comment is just a comment. */
	c = tu_parse_ok(H "# kernel { \"\n");
	config_free(c);
}

static void
test_asn_forms(void **state)
{
	static const struct {
		const char	*text;
		uint32_t	 as;
	} cases[] = {
		{ "1", 1 }, { "65535", 65535 }, { "65536", 65536 },
		{ "4294967295", 4294967295U }, { "0.1", 1 },
		{ "1.0", 65536 }, { "65535.65535", 4294967295U },
		{ "007", 7 },
	};
	struct wren_config *c;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "router-id 1.1.1.1\nlocal-as %s\n",
		    cases[i].text);
		c = tu_parse_ok(buf);
		assert_int_equal(c->local_as, cases[i].as);
		config_free(c);
	}
}

static void
test_buffer_length(void **state)
{
	static const char text[] = H "garbage that is not part of the buffer";
	struct wren_config *c;
	char *err;

	/* The buffer need not be NUL-terminated: only len bytes count. */
	c = tu_parse_len(text, strlen(H), &err);
	assert_string_equal(err, "");
	assert_non_null(c);
	config_free(c);
	free(err);
	/* A NULL errf is allowed: errors are counted, not printed. */
	assert_null(config_parse_buf("x", "foo\n", 4, NULL));
	assert_null(config_parse_buf("x", NULL, 0, NULL));
}

static void
test_nul_byte(void **state)
{
	static const char text[] = H "kernel {\n\0\n}\n";
	struct wren_config *c;
	char *err;

	c = tu_parse_len(text, sizeof(text) - 1, &err);
	assert_null(c);
	assert_string_equal(err, "t.conf:4: invalid character 0x00\n");
	free(err);
}

static void
test_parse_file_missing(void **state)
{
	char *err = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&err, &n);
	assert_null(config_parse_file("/nonexistent/peers.conf", f));
	fclose(f);
	assert_string_equal(err,
	    "/nonexistent/peers.conf:0: No such file or directory\n");
	free(err);
}

static void
test_example_file(void **state)
{
	struct wren_config *c;
	char *err = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&err, &n);
	c = config_parse_file(TEST_DATA_DIR "/../../../peers.conf.example", f);
	fclose(f);
	assert_string_equal(err, "");
	free(err);
	assert_non_null(c);
	assert_int_equal(c->router_id, ip4("198.18.0.1"));
	assert_int_equal(c->local_as, 64512);
	assert_int_equal(c->kernel.nlearn, 1);
	assert_string_equal(c->kernel.learn[0], "cali*");
	assert_int_equal(c->gr.enabled, 1);
	assert_int_equal(count_neighbors(c), 2);
	assert_string_equal(nth_neighbor(c, 0)->name, "Mesh_198_18_0_2");
	assert_int_equal(nth_neighbor(c, 1)->remote_as, 64512);
	config_free(c);
}

/* A full mesh of 1000 hosts is the scale Wren is for. */
static void
test_large_mesh(void **state)
{
	struct wren_config *c;
	struct wr_addr a;
	char *text = NULL;
	size_t n;
	FILE *f;
	int i;

	f = open_memstream(&text, &n);
	fputs(H, f);
	for (i = 0; i < 1000; i++)
		fprintf(f, "neighbor 10.%d.%d.1 {\n\tremote-as 65000\n}\n",
		    i / 256, i % 256);
	fclose(f);
	c = tu_parse_ok(text);
	assert_int_equal(count_neighbors(c), 1000);
	a = addr("10.3.231.1");
	assert_non_null(config_find_neighbor(c, &a));
	assert_int_equal(config_find_neighbor(c, &a)->line, 3 + 999 * 3);
	config_free(c);
	free(text);
}

/* ---- errors -------------------------------------------------------------- */

struct ecase {
	const char	*text;
	const char	*err;
};

static const struct ecase top_errors[] = {
	{ "",
	  "t.conf:1: router-id is required\nt.conf:1: local-as is required\n" },
	{ "local-as 1\n", "t.conf:1: router-id is required\n" },
	{ "router-id 1.2.3.4\n", "t.conf:1: local-as is required\n" },
	{ "router-id\nlocal-as 1\n",
	  "t.conf:1: router-id: expected an IPv4 address\n" },
	{ "router-id 0.0.0.0\nlocal-as 1\n",
	  "t.conf:1: router-id: 0.0.0.0 is not allowed\n" },
	{ "router-id 1.2.3\nlocal-as 1\n",
	  "t.conf:1: router-id: '1.2.3' is not an IPv4 address\n" },
	{ "router-id ::1\nlocal-as 1\n",
	  "t.conf:1: router-id: '::1' is not an IPv4 address\n" },
	{ "router-id \"1.2.3.4\"\nlocal-as 1\n",
	  "t.conf:1: router-id: expected an IPv4 address\n" },
	{ H "router-id 1.2.3.4\n",
	  "t.conf:3: duplicate router-id (first at line 1)\n" },
	{ H "local-as 1\n", "t.conf:3: duplicate local-as (first at line 2)\n" },
	{ H "foo\n", "t.conf:3: unknown keyword 'foo'\n" },
	{ H "foo bar {\n  baz\n}\nfoo2\n",
	  "t.conf:3: unknown keyword 'foo'\nt.conf:6: unknown keyword 'foo2'\n" },
	{ H "remote-as 1\n", "t.conf:3: unknown keyword 'remote-as'\n" },
	{ H "}\n", "t.conf:3: unexpected '}'\n" },
	{ H "{\n  router-id 1.1.1.1\n}\n", "t.conf:3: unexpected '{'\n" },
	{ H "\"str\"\n", "t.conf:3: unexpected \"str\"\n" },
	{ H "router-id 1.2.3.4 }\n",
	  "t.conf:3: duplicate router-id (first at line 1)\n"
	  "t.conf:3: unexpected '}'\n" },
	{ "router-id 1.2.3.4 5\nlocal-as 1\n",
	  "t.conf:1: router-id: unexpected '5'\n" },
	{ "router-id 1.2.3.4 {\n}\nlocal-as 1\n",
	  "t.conf:1: router-id: unexpected '{'\n" },
};

static const struct ecase as_errors[] = {
	{ "router-id 1.1.1.1\nlocal-as\n",
	  "t.conf:2: local-as: expected a number\n" },
	{ "router-id 1.1.1.1\nlocal-as 0\n", "t.conf:2: local-as: '0' is not "
	  "a valid AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 4294967296\n", "t.conf:2: local-as: "
	  "'4294967296' is not a valid AS number (1..4294967295 or asdot "
	  "0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 99999999999999999999999\n",
	  "t.conf:2: local-as: '99999999999999999999999' is not a valid AS "
	  "number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as -1\n", "t.conf:2: local-as: '-1' is not "
	  "a valid AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 0x10\n", "t.conf:2: local-as: '0x10' is "
	  "not a valid AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 1.65536\n", "t.conf:2: local-as: "
	  "'1.65536' is not a valid AS number (1..4294967295 or asdot "
	  "0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 1.\n", "t.conf:2: local-as: '1.' is not "
	  "a valid AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 1.2.3\n", "t.conf:2: local-as: '1.2.3' "
	  "is not a valid AS number (1..4294967295 or asdot "
	  "0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 0.0\n", "t.conf:2: local-as: '0.0' is "
	  "not a valid AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ "router-id 1.1.1.1\nlocal-as 23456\n", "t.conf:2: local-as: 23456 is "
	  "AS_TRANS (RFC 6793), not a usable AS\n" },
	{ "router-id 1.1.1.1\nlocal-as 0.23456\n", "t.conf:2: local-as: 23456 "
	  "is AS_TRANS (RFC 6793), not a usable AS\n" },
};

static const struct ecase lex_errors[] = {
	{ H "control-socket \"/run/x\n",
	  "t.conf:3: unterminated string\n" },
	{ H "control-socket \"/run/x",
	  "t.conf:3: unterminated string\n" },
	{ H "control-socket \"a\001b\"\n",
	  "t.conf:3: control character in string\n" },
	{ H "foo\001\n",
	  "t.conf:3: unknown keyword 'foo'\nt.conf:3: invalid character 0x01\n" },
	{ H "\033\n", "t.conf:3: invalid character 0x1b\n" },
	/* The string error costs one line only. */
	{ H "control-socket \"x\nfoo\n",
	  "t.conf:3: unterminated string\nt.conf:4: unknown keyword 'foo'\n" },
};

static const struct ecase misc_errors[] = {
	{ H "control-socket\n",
	  "t.conf:3: control-socket: expected a quoted string\n" },
	{ H "control-socket /run/x.sock\n",
	  "t.conf:3: control-socket: expected a quoted string\n" },
	{ H "control-socket \"\"\n",
	  "t.conf:3: control-socket: must not be empty\n" },
	{ H "control-socket \"/a\" \"/b\"\n",
	  "t.conf:3: control-socket: unexpected \"/b\"\n" },
	{ H "control-socket \"/a\"\ncontrol-socket \"/b\"\n",
	  "t.conf:4: duplicate control-socket (first at line 3)\n" },
	{ H "compat-socket\n",
	  "t.conf:3: compat-socket: expected a quoted string\n" },
	{ H "compat-socket \"\"\n",
	  "t.conf:3: compat-socket: must not be empty\n" },
	{ H "compat-socket \"/a\"\ncompat-socket \"/b\"\n",
	  "t.conf:4: duplicate compat-socket (first at line 3)\n" },
	{ H "listen\n", "t.conf:3: listen: expected 'on'\n" },
	{ H "listen at 1.2.3.4\n", "t.conf:3: listen: expected 'on'\n" },
	{ H "listen on\n",
	  "t.conf:3: listen on: expected an address or '*'\n" },
	{ H "listen on foo\n",
	  "t.conf:3: listen on: 'foo' is not an IP address\n" },
	{ H "listen on 10.0.0.0/8\n",
	  "t.conf:3: listen on: '10.0.0.0/8' is not an IP address\n" },
	{ H "listen on 224.0.0.1\n",
	  "t.conf:3: listen on: 224.0.0.1 is a multicast address\n" },
	{ H "listen on ff02::1\n",
	  "t.conf:3: listen on: ff02::1 is a multicast address\n" },
	{ H "listen on * port\n",
	  "t.conf:3: listen on: port: expected a number\n" },
	{ H "listen on * port 0\n",
	  "t.conf:3: listen on: port: 0 is out of range (1..65535)\n" },
	{ H "listen on * port 65536\n",
	  "t.conf:3: listen on: port: 65536 is out of range (1..65535)\n" },
	{ H "listen on * prt 5\n", "t.conf:3: listen: unexpected 'prt'\n" },
	{ H "listen on *\nlisten on 0.0.0.0 port 179\n",
	  "t.conf:4: listen: duplicate address and port\n" },
};

static const struct ecase kernel_errors[] = {
	{ H "kernel\n", "t.conf:3: kernel: expected '{'\n" },
	{ H "kernel\n{\n}\n",
	  "t.conf:3: kernel: expected '{'\nt.conf:4: unexpected '{'\n" },
	{ H "kernel {\n", "t.conf:3: kernel: missing '}'\n" },
	{ H "kernel {\n}\nkernel {\n}\n",
	  "t.conf:5: duplicate kernel (first at line 3)\n" },
	{ H "kernel {\nfoo\n}\n", "t.conf:4: unknown keyword 'foo'\n" },
	{ H "kernel {\nrouter-id 1.1.1.1\n}\n",
	  "t.conf:4: unknown keyword 'router-id'\n" },
	{ H "kernel {\nlearn\n}\n", "t.conf:4: learn: expected 'interface', "
	  "'protocol', 'table', 'blackhole' or 'unreachable'\n" },
	{ H "kernel {\nlearn iface \"x\"\n}\n",
	  "t.conf:4: learn: expected 'interface', 'protocol', 'table', "
	  "'blackhole' or 'unreachable'\n" },
	{ H "kernel {\nlearn interface cali*\n}\n",
	  "t.conf:4: learn interface: expected a quoted string\n" },
	{ H "kernel {\nlearn interface \"\"\n}\n",
	  "t.conf:4: learn interface: must not be empty\n" },
	{ H "kernel {\nlearn interface \"cali+\"\n}\n",
	  "t.conf:4: learn interface: invalid character '+' in \"cali+\" "
	  "(allowed: A-Z a-z 0-9 _ . * ? -)\n" },
	{ H "kernel {\nlearn interface \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n}\n",
	  "t.conf:4: learn interface: too long (max 31 characters)\n" },
	{ H "kernel {\nlearn interface \"a\"\nlearn interface \"a\"\n}\n",
	  "t.conf:5: learn interface: duplicate pattern \"a\"\n" },
	{ H "kernel {\ninstall\n}\n",
	  "t.conf:4: install: expected 'protocol', 'metric', 'table', "
	  "'onlink', 'device', 'multipath', 'off' or 'policy'\n" },
	{ H "kernel {\ninstall proto 5\n}\n",
	  "t.conf:4: install: expected 'protocol', 'metric', 'table', "
	  "'onlink', 'device', 'multipath', 'off' or 'policy'\n" },
	{ H "kernel {\ninstall protocol\n}\n",
	  "t.conf:4: install protocol: expected a number\n" },
	{ H "kernel {\ninstall protocol bgp\n}\n",
	  "t.conf:4: install protocol: 'bgp' is not a number\n" },
	{ H "kernel {\ninstall protocol 0\n}\n",
	  "t.conf:4: install protocol: 0 is reserved by the kernel (0-4: "
	  "unspec, redirect, kernel, boot, static); use 5..255\n" },
	{ H "kernel {\ninstall protocol 4\n}\n",
	  "t.conf:4: install protocol: 4 is reserved by the kernel (0-4: "
	  "unspec, redirect, kernel, boot, static); use 5..255\n" },
	{ H "kernel {\ninstall protocol 256\n}\n",
	  "t.conf:4: install protocol: 256 is out of range (5..255)\n" },
	{ H "kernel {\ninstall protocol 186 metric\n}\n",
	  "t.conf:4: install metric: expected a number\n" },
	{ H "kernel {\ninstall metric 4294967296\n}\n",
	  "t.conf:4: install metric: 4294967296 is out of range "
	  "(0..4294967295)\n" },
	{ H "kernel {\ninstall protocol 186 metric 1\ninstall metric 2\n}\n",
	  "t.conf:5: duplicate install metric (first at line 4)\n" },
	{ H "kernel {\ninstall protocol 186\ninstall protocol 187\n}\n",
	  "t.conf:5: duplicate install protocol (first at line 4)\n" },
	{ H "kernel {\ninstall protocol 186 foo\n}\n",
	  "t.conf:4: install: unexpected 'foo'\n" },
	{ H "kernel {\npersist\n}\n",
	  "t.conf:4: persist: expected 'on' or 'off'\n" },
	{ H "kernel {\npersist yes\n}\n",
	  "t.conf:4: persist: expected 'on' or 'off'\n" },
	{ H "kernel {\npersist on\npersist off\n}\n",
	  "t.conf:5: duplicate persist (first at line 4)\n" },
	{ H "kernel { persist on } x\n", "t.conf:3: kernel: unexpected 'x'\n" },
	/* learn protocol */
	{ H "kernel {\nlearn protocol\n}\n",
	  "t.conf:4: learn protocol: expected a number or a name\n" },
	{ H "kernel {\nlearn protocol foo\n}\n",
	  "t.conf:4: learn protocol: 'foo' is not a protocol number (0..255) "
	  "or name (boot, static, zebra, bird, ...)\n" },
	{ H "kernel {\nlearn protocol 256\n}\n",
	  "t.conf:4: learn protocol: '256' is not a protocol number (0..255) "
	  "or name (boot, static, zebra, bird, ...)\n" },
	{ H "kernel {\nlearn protocol -1\n}\n",
	  "t.conf:4: learn protocol: '-1' is not a protocol number (0..255) "
	  "or name (boot, static, zebra, bird, ...)\n" },
	{ H "kernel {\nlearn protocol 2\n}\n",
	  "t.conf:4: learn protocol: 2 (kernel) is the kernel's own; its "
	  "routes are never learned\n" },
	{ H "kernel {\nlearn protocol 1\n}\n",
	  "t.conf:4: learn protocol: 1 (redirect) is the kernel's own; its "
	  "routes are never learned\n" },
	{ H "kernel {\nlearn protocol static\nlearn protocol 4\n}\n",
	  "t.conf:5: learn protocol: duplicate protocol 4 (first at line 4)\n" },
	{ H "kernel {\nlearn protocol 4 5\n}\n",
	  "t.conf:4: learn: unexpected '5'\n" },
	{ H "kernel {\nlearn protocol 186\n}\n",
	  "t.conf:4: learn protocol: 186 is the install protocol; Wren's own "
	  "routes are never learned\n" },
	{ H "kernel {\nlearn protocol bgp\n}\n",
	  "t.conf:4: learn protocol: 186 is the install protocol; Wren's own "
	  "routes are never learned\n" },
	{ H "kernel {\nlearn protocol 12\ninstall protocol 12\n}\n",
	  "t.conf:4: learn protocol: 12 is the install protocol; Wren's own "
	  "routes are never learned\n" },
	/* learn table */
	{ H "kernel {\nlearn table\n}\n",
	  "t.conf:4: learn table: expected a number\n" },
	{ H "kernel {\nlearn table main\n}\n",
	  "t.conf:4: learn table: 'main' is not a number\n" },
	{ H "kernel {\nlearn table 0\n}\n",
	  "t.conf:4: learn table: 0 is out of range (1..4294967295)\n" },
	{ H "kernel {\nlearn table 4294967296\n}\n",
	  "t.conf:4: learn table: 4294967296 is out of range "
	  "(1..4294967295)\n" },
	{ H "kernel {\nlearn table 254\nlearn table 254\n}\n",
	  "t.conf:5: learn table: duplicate table 254\n" },
	/* learn blackhole, learn unreachable */
	{ H "kernel {\nlearn blackhole\nlearn blackhole\n}\n",
	  "t.conf:5: duplicate learn blackhole (first at line 4)\n" },
	{ H "kernel {\nlearn unreachable\nlearn unreachable\n}\n",
	  "t.conf:5: duplicate learn unreachable (first at line 4)\n" },
	{ H "kernel {\nlearn blackhole on\n}\n",
	  "t.conf:4: learn: unexpected 'on'\n" },
	/* install table */
	{ H "kernel {\ninstall table\n}\n",
	  "t.conf:4: install table: expected a number\n" },
	{ H "kernel {\ninstall table 0\n}\n",
	  "t.conf:4: install table: 0 is out of range (1..4294967295)\n" },
	{ H "kernel {\ninstall table 255\n}\n",
	  "t.conf:4: install table: 255 is the kernel's local table\n" },
	{ H "kernel {\ninstall table 100\ninstall table 101\n}\n",
	  "t.conf:5: duplicate install table (first at line 4)\n" },
	/* install off (benchmarks: decide and export, never install) */
	{ H "kernel {\ninstall off\ninstall off\n}\n",
	  "t.conf:5: duplicate install off (first at line 4)\n" },
	/* install onlink, install device */
	{ H "kernel {\ninstall onlink\ninstall onlink\n}\n",
	  "t.conf:5: duplicate install onlink (first at line 4)\n" },
	{ H "kernel {\ninstall onlink off\n}\n",
	  "t.conf:4: install: unexpected 'off'\n" },
	{ H "kernel {\ninstall device tunl0\n}\n",
	  "t.conf:4: install device: expected a quoted string\n" },
	{ H "kernel {\ninstall device \"\"\n}\n",
	  "t.conf:4: install device: must not be empty\n" },
	{ H "kernel {\ninstall device \"abcdefghijklmnop\"\n}\n",
	  "t.conf:4: install device: too long (max 15 characters)\n" },
	{ H "kernel {\ninstall device \"tun/0\"\n}\n",
	  "t.conf:4: install device: invalid character '/' in \"tun/0\" "
	  "(allowed: A-Z a-z 0-9 _ . - @)\n" },
	{ H "kernel {\ninstall device \"..\"\n}\n",
	  "t.conf:4: install device: \"..\" is not a device name\n" },
	{ H "kernel {\ninstall device \"a\"\ninstall device \"b\"\n}\n",
	  "t.conf:5: duplicate install device (first at line 4)\n" },
	/* install multipath */
	{ H "kernel {\ninstall multipath 0\n}\n",
	  "t.conf:4: install multipath: 0 is out of range (1..16)\n" },
	{ H "kernel {\ninstall multipath 17\n}\n",
	  "t.conf:4: install multipath: 17 is out of range (1..16)\n" },
	{ H "kernel {\ninstall multipath\n}\n",
	  "t.conf:4: install multipath: expected a number\n" },
	{ H "kernel {\ninstall multipath 2\ninstall multipath 4\n}\n",
	  "t.conf:5: duplicate install multipath (first at line 4)\n" },
	/* receive-buffer, safety-redump */
	{ H "kernel {\nreceive-buffer 4095\n}\n",
	  "t.conf:4: receive-buffer: 4095 is out of range "
	  "(4096..1073741824)\n" },
	{ H "kernel {\nreceive-buffer 1073741825\n}\n",
	  "t.conf:4: receive-buffer: 1073741825 is out of range "
	  "(4096..1073741824)\n" },
	{ H "kernel {\nreceive-buffer 8M\n}\n",
	  "t.conf:4: receive-buffer: '8M' is not a number\n" },
	{ H "kernel {\nreceive-buffer 4096\nreceive-buffer 8192\n}\n",
	  "t.conf:5: duplicate receive-buffer (first at line 4)\n" },
	{ H "kernel {\nsafety-redump 86401\n}\n",
	  "t.conf:4: safety-redump: 86401 is out of range (0..86400)\n" },
	{ H "kernel {\nsafety-redump\n}\n",
	  "t.conf:4: safety-redump: expected a number\n" },
	{ H "kernel {\nsafety-redump 60\nsafety-redump 0\n}\n",
	  "t.conf:5: duplicate safety-redump (first at line 4)\n" },
};

static const struct ecase gr_errors[] = {
	{ H "graceful-restart\n",
	  "t.conf:3: graceful-restart: expected '{', 'on' or 'off'\n" },
	{ H "graceful-restart maybe\n",
	  "t.conf:3: graceful-restart: expected 'on' or 'off'\n" },
	{ H "graceful-restart {\n",
	  "t.conf:3: graceful-restart: missing '}'\n" },
	{ H "graceful-restart off\ngraceful-restart {\n}\n",
	  "t.conf:4: duplicate graceful-restart (first at line 3)\n" },
	{ H "graceful-restart {\nrestart-time\n}\n",
	  "t.conf:4: restart-time: expected a number\n" },
	{ H "graceful-restart {\nrestart-time 0\n}\n",
	  "t.conf:4: restart-time: 0 is out of range (1..4095)\n" },
	{ H "graceful-restart {\nrestart-time 4096\n}\n",
	  "t.conf:4: restart-time: 4096 is out of range (1..4095)\n" },
	{ H "graceful-restart {\nstale-time 0\n}\n",
	  "t.conf:4: stale-time: 0 is out of range (1..65535)\n" },
	{ H "graceful-restart {\nstale-time 65536\n}\n",
	  "t.conf:4: stale-time: 65536 is out of range (1..65535)\n" },
	{ H "graceful-restart {\neor-wait 0\n}\n",
	  "t.conf:4: eor-wait: 0 is out of range (1..3600)\n" },
	{ H "graceful-restart {\neor-wait 3601\n}\n",
	  "t.conf:4: eor-wait: 3601 is out of range (1..3600)\n" },
	{ H "graceful-restart {\neor-wait\n}\n",
	  "t.conf:4: eor-wait: expected a number\n" },
	{ H "graceful-restart {\nenabled maybe\n}\n",
	  "t.conf:4: enabled: expected 'on' or 'off'\n" },
	{ H "graceful-restart {\nrestart-time 1\nrestart-time 2\n}\n",
	  "t.conf:5: duplicate restart-time (first at line 4)\n" },
};

#define N	"neighbor 10.0.0.2 {\n"
#define RA	"remote-as 1\n"

static const struct ecase neighbor_errors[] = {
	{ H "neighbor\n", "t.conf:3: neighbor: expected an address\n" },
	{ H "neighbor {\n" RA "}\n",
	  "t.conf:3: neighbor: expected an address\n" },
	{ H "neighbor foo {\n" RA "}\n",
	  "t.conf:3: neighbor: 'foo' is not an IP address\n" },
	/* The block of a bad neighbor is still checked. */
	{ H "neighbor foo {\nbar\n}\n",
	  "t.conf:3: neighbor: 'foo' is not an IP address\n"
	  "t.conf:4: unknown keyword 'bar'\n" },
	{ H "neighbor 10.0.0.2\n", "t.conf:3: neighbor: expected '{'\n" },
	{ H N "}\n", "t.conf:3: neighbor 10.0.0.2: remote-as is required\n" },
	{ H N RA, "t.conf:3: neighbor: missing '}'\n" },
	{ H "neighbor 0.0.0.0 {\n" RA "}\n",
	  "t.conf:3: neighbor: 0.0.0.0 is the unspecified address\n" },
	{ H "neighbor :: {\n" RA "}\n",
	  "t.conf:3: neighbor: :: is the unspecified address\n" },
	{ H "neighbor 224.0.0.5 {\n" RA "}\n",
	  "t.conf:3: neighbor: 224.0.0.5 is a multicast address\n" },
	{ H "neighbor 239.255.255.255 {\n" RA "}\n",
	  "t.conf:3: neighbor: 239.255.255.255 is a multicast address\n" },
	{ H "neighbor ff02::2 {\n" RA "}\n",
	  "t.conf:3: neighbor: ff02::2 is a multicast address\n" },
	{ H "neighbor 255.255.255.255 {\n" RA "}\n",
	  "t.conf:3: neighbor: 255.255.255.255 is the broadcast address\n" },
	{ H "neighbor fe80::1 {\n" RA "}\n",
	  "t.conf:3: neighbor: fe80::1 is link-local (not supported yet)\n" },
	{ H N RA "}\n" N RA "}\n",
	  "t.conf:6: duplicate neighbor 10.0.0.2 (first at line 3)\n" },
	{ H N RA "}\nneighbor ::ffff:10.0.0.2 {\n" RA "}\n",
	  "t.conf:6: duplicate neighbor 10.0.0.2 (first at line 3)\n" },
	{ H "neighbor 2001:db8::1 {\n" RA "}\nneighbor 2001:db8:0::1 {\n"
	  RA "}\n",
	  "t.conf:6: duplicate neighbor 2001:db8::1 (first at line 3)\n" },
	{ H N "remote-as\n}\n", "t.conf:4: remote-as: expected a number\n" },
	{ H N "remote-as 0\n}\n", "t.conf:4: remote-as: '0' is not a valid "
	  "AS number (1..4294967295 or asdot 0.1..65535.65535)\n" },
	{ H N RA "remote-as 2\n}\n",
	  "t.conf:5: duplicate remote-as (first at line 4)\n" },
	{ H N RA "passive yes\n}\n",
	  "t.conf:5: passive: expected 'on' or 'off'\n" },
	{ H N RA "port 0\n}\n", "t.conf:5: port: 0 is out of range (1..65535)\n" },
	{ H N RA "port 65536\n}\n",
	  "t.conf:5: port: 65536 is out of range (1..65535)\n" },
	{ H N RA "hold-time 1\n}\n",
	  "t.conf:5: hold-time: 1 is out of range (0 or 3..65535)\n" },
	{ H N RA "hold-time 2\n}\n",
	  "t.conf:5: hold-time: 2 is out of range (0 or 3..65535)\n" },
	{ H N RA "hold-time 65536\n}\n",
	  "t.conf:5: hold-time: 65536 is out of range (0 or 3..65535)\n" },
	{ H N RA "keepalive 65536\n}\n",
	  "t.conf:5: keepalive: 65536 is out of range (0..65535)\n" },
	{ H N RA "keepalive 30\nhold-time 30\n}\n",
	  "t.conf:5: keepalive: 30 must be less than hold-time 30\n" },
	{ H N RA "keepalive 90\n}\n",
	  "t.conf:5: keepalive: 90 must be less than hold-time 90\n" },
	{ H N RA "connect-retry 0\n}\n",
	  "t.conf:5: connect-retry: 0 is out of range (1..65535)\n" },
	{ H N RA "families\n}\n",
	  "t.conf:5: families: expected ipv4, ipv6 or both\n" },
	{ H N RA "families ipv4 ipx\n}\n",
	  "t.conf:5: families: 'ipx' is not ipv4 or ipv6\n" },
	{ H N RA "families ipv4\nfamilies ipv6\n}\n",
	  "t.conf:6: duplicate families (first at line 5)\n" },
	{ H N RA "next-hop-v6 198.18.0.1\n}\n",
	  "t.conf:5: next-hop-v6: 198.18.0.1 is not a global IPv6 address\n" },
	{ H N RA "next-hop-v6 fe80::1\n}\n",
	  "t.conf:5: next-hop-v6: fe80::1 is not a global IPv6 address\n" },
	{ H N RA "next-hop-v6 ::\n}\n",
	  "t.conf:5: next-hop-v6: :: is not a global IPv6 address\n" },
	{ H N RA "next-hop-v6\n}\n",
	  "t.conf:5: next-hop-v6: expected an address\n" },
	{ H N RA "name\n}\n", "t.conf:5: name: expected a quoted string\n" },
	{ H N RA "name \"\"\n}\n", "t.conf:5: name: must not be empty\n" },
	{ H N RA "name \"a.b\"\n}\n", "t.conf:5: name: invalid character '.' "
	  "in \"a.b\" (allowed: A-Z a-z 0-9 _ -)\n" },
	{ H N RA "name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaa\"\n}\n", "t.conf:5: name: too long (max 63 characters)\n" },
	{ H N RA "name \"x\"\n}\nneighbor 10.0.0.3 {\n" RA "name \"x\"\n}\n",
	  "t.conf:9: name \"x\" is already used by the neighbor at line 3\n" },
	{ H N RA "description \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	  "bbbbbbbbbbbbbbbbbbb\"\n}\n",
	  "t.conf:5: description: too long (max 63 characters)\n" },
	{ H N RA "foo\n}\n", "t.conf:5: unknown keyword 'foo'\n" },
	{ H N RA "router-id 1.2.3.4\n}\n",
	  "t.conf:5: unknown keyword 'router-id'\n" },
	{ H N RA "} x\n", "t.conf:5: neighbor: unexpected 'x'\n" },
	{ H N RA "port 1 2\n}\n", "t.conf:5: port: unexpected '2'\n" },
	/* A forgotten '}' swallows the next neighbor, which is reported. */
	{ H N RA N RA "}\n",
	  "t.conf:5: unknown keyword 'neighbor'\n"
	  "t.conf:3: neighbor: missing '}'\n" },
};

static void
run_cases(const struct ecase *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_errors(cases[i].text, cases[i].err);
}

#define RUN(tab)	run_cases(tab, sizeof(tab) / sizeof(tab[0]))

static void
test_top_errors(void **state)
{
	RUN(top_errors);
}

static void
test_as_errors(void **state)
{
	RUN(as_errors);
}

static void
test_lex_errors(void **state)
{
	RUN(lex_errors);
}

static void
test_misc_errors(void **state)
{
	RUN(misc_errors);
}

static void
test_kernel_errors(void **state)
{
	RUN(kernel_errors);
}

static void
test_gr_errors(void **state)
{
	RUN(gr_errors);
}

static void
test_neighbor_errors(void **state)
{
	RUN(neighbor_errors);
}

static void
test_long_tokens(void **state)
{
	char text[4096], big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), H "%s\n", big);
	check_errors(text, "t.conf:3: word too long\n");
	snprintf(text, sizeof(text), H "control-socket \"%s\"\n", big);
	check_errors(text, "t.conf:3: string too long\n");
	memset(big, 'a', 108);
	big[108] = '\0';
	snprintf(text, sizeof(text), H "control-socket \"%s\"\n", big);
	check_errors(text,
	    "t.conf:3: control-socket: too long (max 107 characters)\n");
	big[107] = '\0';
	snprintf(text, sizeof(text), H "control-socket \"%s\"\n", big);
	config_free(tu_parse_ok(text));
}

static void
test_too_many_tables(void **state)
{
	char text[4096];
	size_t off;
	int i;

	off = (size_t)snprintf(text, sizeof(text), H "kernel {\n");
	for (i = 0; i < CONF_MAX_TABLES + 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "learn table %d\n", 100 + i);
	snprintf(text + off, sizeof(text) - off, "}\n");
	check_errors(text,
	    "t.conf:20: learn table: too many tables (max 16)\n");
}

static const char kernel_conf[] =
    H "kernel {\n"
    "  learn interface \"cali*\"\n"
    "  learn protocol bird\t# 12\n"
    "  learn protocol static\n"
    "  learn protocol 0\n"
    "  learn protocol 255\n"
    "  learn table 100\n"
    "  learn table 254\n"
    "  learn blackhole\n"
    "  learn unreachable\n"
    "  install protocol 200 metric 10\n"
    "  install table 4294967295\n"
    "  install onlink\n"
    "  install device \"tunl0\"\n"
    "  install multipath 1\n"
    "  receive-buffer 4096\n"
    "  safety-redump 86400\n"
    "}\n";

static void
test_kernel_keywords(void **state)
{
	struct wren_config *c;
	const struct kernel_conf *k;
	int i, n = 0;

	c = tu_parse_ok(kernel_conf);
	k = &c->kernel;
	for (i = 0; i < 256; i++)
		n += CONF_LEARN_PROTO(k, i);
	assert_int_equal(n, 4);
	assert_true(CONF_LEARN_PROTO(k, 0));
	assert_true(CONF_LEARN_PROTO(k, 4));
	assert_true(CONF_LEARN_PROTO(k, 12));
	assert_true(CONF_LEARN_PROTO(k, 255));
	assert_int_equal(k->nlearn_tables, 2);
	assert_int_equal(k->learn_tables[0], 100);
	assert_int_equal(k->learn_tables[1], 254);
	assert_int_equal(k->learn_blackhole, 1);
	assert_int_equal(k->learn_unreachable, 1);
	assert_int_equal(k->install_proto, 200);
	assert_int_equal(k->metric, 10);
	assert_int_equal(k->install_table, 4294967295U);
	assert_int_equal(k->install_onlink, 1);
	assert_string_equal(k->install_device, "tunl0");
	assert_int_equal(k->multipath, 1);
	assert_int_equal(k->rcvbuf, 4096);
	assert_int_equal(k->safety_redump, 86400);
	assert_int_equal(k->persist, 1);
	config_free(c);
	/* The one-line IP-in-IP form: the device, and onlink with it. */
	c = tu_parse_ok(H "kernel {\ninstall device \"tunl0\" onlink\n}\n");
	assert_string_equal(c->kernel.install_device, "tunl0");
	assert_int_equal(c->kernel.install_onlink, 1);
	config_free(c);
	check_errors(H "kernel {\ninstall device \"tunl0\" onlink\n"
	    "install onlink\n}\n",
	    "t.conf:5: duplicate install onlink (first at line 4)\n");
	/* The default table is replaced, not added to. */
	c = tu_parse_ok(H "kernel {\nlearn table 100\n}\n");
	assert_int_equal(c->kernel.nlearn_tables, 1);
	assert_int_equal(c->kernel.learn_tables[0], 100);
	config_free(c);
	/* Another install protocol frees 186 for learning. */
	c = tu_parse_ok(H "kernel {\nlearn protocol bgp\ninstall protocol "
	    "5\n}\n");
	assert_true(CONF_LEARN_PROTO(&c->kernel, 186));
	config_free(c);
	round_trip(kernel_conf);
	round_trip(H "compat-socket \"/run/calico/bird.ctl\"\n");
	round_trip(H "kernel {\nlearn protocol 3\ninstall device \"veth-a.1\"\n}\n");
}

static void
test_too_many_patterns(void **state)
{
	char text[4096];
	size_t off;
	int i;

	off = (size_t)snprintf(text, sizeof(text), H "kernel {\n");
	for (i = 0; i < CONF_MAX_PATTERNS + 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "learn interface \"p%d\"\n", i);
	snprintf(text + off, sizeof(text) - off, "}\n");
	check_errors(text,
	    "t.conf:20: learn interface: too many patterns (max 16)\n");
}

/* One pass reports every error, each at its own line, in file order. */
static void
test_multiple_errors(void **state)
{
	check_errors(
	    "router-id 300.1.1.1\n"		/* 1 */
	    "local-as 65000\n"
	    "bogus\n"				/* 3 */
	    "kernel {\n"
	    "\tinstall protocol 2\n"		/* 5 */
	    "\tpersist on\n"
	    "\tpersist off\n"			/* 7 */
	    "}\n"
	    "neighbor 10.0.0.2 {\n"		/* 9 */
	    "\thold-time 1\n"			/* 10 */
	    "\tfrob\n"				/* 11 */
	    "}\n"
	    "neighbor 10.0.0.3 {\n"
	    "\tremote-as 1\n"
	    "}\n"
	    "graceful-restart {\n"
	    "\tstale-time 0\n",			/* 17; no '}' */
	    "t.conf:1: router-id: '300.1.1.1' is not an IPv4 address\n"
	    "t.conf:3: unknown keyword 'bogus'\n"
	    "t.conf:5: install protocol: 2 is reserved by the kernel (0-4: "
	    "unspec, redirect, kernel, boot, static); use 5..255\n"
	    "t.conf:7: duplicate persist (first at line 6)\n"
	    "t.conf:10: hold-time: 1 is out of range (0 or 3..65535)\n"
	    "t.conf:11: unknown keyword 'frob'\n"
	    "t.conf:9: neighbor 10.0.0.2: remote-as is required\n"
	    "t.conf:17: stale-time: 0 is out of range (1..65535)\n"
	    "t.conf:16: graceful-restart: missing '}'\n");
}

/* From a file, errors name the file as it was given. */
static void
test_invalid_file(void **state)
{
	char *err = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&err, &n);
	assert_null(config_parse_file(TEST_DATA_DIR "/invalid-multi.conf", f));
	fclose(f);
	assert_string_equal(err,
	    TEST_DATA_DIR "/invalid-multi.conf:7: install protocol: 2 is "
	    "reserved by the kernel (0-4: unspec, redirect, kernel, boot, "
	    "static); use 5..255\n"
	    TEST_DATA_DIR "/invalid-multi.conf:12: hold-time: 2 is out of "
	    "range (0 or 3..65535)\n"
	    TEST_DATA_DIR "/invalid-multi.conf:17: unknown keyword 'pasive'\n"
	    TEST_DATA_DIR "/invalid-multi.conf:15: duplicate neighbor "
	    "198.18.0.2 (first at line 10)\n"
	    TEST_DATA_DIR "/invalid-multi.conf:20: neighbor 198.18.0.4: "
	    "remote-as is required\n");
	free(err);
}

static void
test_too_many_errors(void **state)
{
	struct wren_config *c;
	char *text = NULL, *err, *s;
	size_t n;
	FILE *f;
	int i, lines = 0;

	f = open_memstream(&text, &n);
	for (i = 0; i < 500; i++)
		fputs("junk\n", f);
	fclose(f);
	c = tu_parse(text, &err);
	assert_null(c);
	for (s = err; *s != '\0'; s++)
		lines += *s == '\n';
	assert_int_equal(lines, 101);
	assert_non_null(strstr(err,
	    "t.conf:100: too many errors, giving up\n"));
	free(err);
	free(text);
}

/* ---- canonical output ---------------------------------------------------- */

static void
assert_config_equal(const struct wren_config *a, const struct wren_config *b)
{
	const struct listen_conf *la, *lb;
	const struct neighbor_conf *na, *nb;

	assert_string_equal(a->file, b->file);
	assert_int_equal(a->router_id, b->router_id);
	assert_int_equal(a->local_as, b->local_as);
	assert_string_equal(a->control_socket, b->control_socket);
	assert_memory_equal(&a->kernel, &b->kernel, sizeof(a->kernel));
	assert_memory_equal(&a->gr, &b->gr, sizeof(a->gr));
	for (la = a->listen, lb = b->listen; la && lb;
	    la = la->next, lb = lb->next) {
		assert_int_equal(addr_cmp(&la->addr, &lb->addr), 0);
		assert_int_equal(la->port, lb->port);
	}
	assert_true(la == NULL && lb == NULL);
	for (na = a->neighbors, nb = b->neighbors; na && nb;
	    na = na->next, nb = nb->next) {
		/* Everything but where it was written. */
		assert_int_equal(addr_cmp(&na->addr, &nb->addr), 0);
		assert_int_equal(na->remote_as, nb->remote_as);
		assert_int_equal(na->passive, nb->passive);
		assert_int_equal(na->port, nb->port);
		assert_int_equal(na->hold_time, nb->hold_time);
		assert_int_equal(na->keepalive, nb->keepalive);
		assert_int_equal(na->connect_retry, nb->connect_retry);
		assert_string_equal(na->name, nb->name);
		assert_string_equal(na->description, nb->description);
	}
	assert_true(na == NULL && nb == NULL);
}

/* print(tu_parse(x)) parses to the same config and prints the same text. */
static void
round_trip(const char *text)
{
	struct wren_config *a, *b;
	char *s1, *s2;

	a = tu_parse_ok(text);
	s1 = tu_print(a);
	b = tu_parse_ok(s1);
	assert_config_equal(a, b);
	s2 = tu_print(b);
	assert_string_equal(s1, s2);
	config_free(a);
	config_free(b);
	free(s1);
	free(s2);
}

static void
test_print_golden(void **state)
{
	struct wren_config *c;
	char *text, *s;

	text = tu_read_file(TEST_DATA_DIR "/valid-interface.conf");
	c = tu_parse_ok(text);
	s = tu_print(c);
	assert_string_equal(s,
	    "router-id 198.18.0.1\n"
	    "local-as 64512\n"
	    "listen on 198.18.0.1 port 179\n"
	    "control-socket \"/run/wren/wrend.sock\"\n"
	    "\n"
	    "kernel {\n"
	    "\tlearn interface \"cali*\"\n"
	    "\tlearn table 254\n"
	    "\tinstall protocol 186 metric 32\n"
	    "\tinstall table 254\n"
	    "\tinstall multipath 16\n"
	    "\treceive-buffer 8388608\n"
	    "\tsafety-redump 0\n"
	    "\tpersist on\n"
	    "}\n"
	    "\n"
	    "graceful-restart {\n"
	    "\trestart-time 120\n"
	    "\tstale-time 360\n"
	    "\teor-wait 10\n"
	    "\tenabled on\n"
	    "}\n"
	    "\n"
	    "neighbor 198.18.0.2 {\n"
	    "\tremote-as 64512\n"
	    "\tport 179\n"
	    "\thold-time 90\n"
	    "\tconnect-retry 5\n"
	    "\tfamilies ipv4 ipv6\n"
	    "}\n"
	    "\n"
	    "neighbor 198.18.0.3 {\n"
	    "\tremote-as 64512\n"
	    "\tpassive\n"
	    "\tport 179\n"
	    "\thold-time 90\n"
	    "\tconnect-retry 5\n"
	    "\tfamilies ipv4 ipv6\n"
	    "}\n");
	free(s);
	free(text);
	config_free(c);
}

static void
test_print_round_trip(void **state)
{
	char *text;

	text = tu_read_file(TEST_DATA_DIR "/valid-interface.conf");
	round_trip(text);
	free(text);
	text = tu_read_file(TEST_DATA_DIR "/../../../peers.conf.example");
	round_trip(text);
	free(text);
	round_trip(full_conf);
	round_trip(H);
	round_trip(H "graceful-restart {\nrestart-time 7\nenabled off\n}\n"
	    "kernel { persist off }\n");
}

/* ---- lookups and reload ---------------------------------------------------- */

static void
test_find_neighbor(void **state)
{
	struct wren_config *c;
	struct wr_addr a;

	c = tu_parse_ok(full_conf);
	a = addr("192.0.2.1");
	assert_ptr_equal(config_find_neighbor(c, &a), nth_neighbor(c, 0));
	a = addr("2001:db8::2");
	assert_ptr_equal(config_find_neighbor(c, &a), nth_neighbor(c, 1));
	a = addr("192.0.2.3");
	assert_ptr_equal(config_find_neighbor(c, &a), nth_neighbor(c, 2));
	a = addr("192.0.2.99");
	assert_null(config_find_neighbor(c, &a));
	a = addr("2001:db8::1");	/* a listen address, not a neighbor */
	assert_null(config_find_neighbor(c, &a));
	config_free(c);
}

static void
test_neighbor_differs(void **state)
{
	struct wren_config *c;
	struct neighbor_conf a, b;

	c = tu_parse_ok(full_conf);
	a = *nth_neighbor(c, 0);
	config_free(c);
	b = a;
	assert_false(config_neighbor_differs(&a, &b));
	/* Display and timing details apply in place. */
	snprintf(b.name, sizeof(b.name), "other");
	snprintf(b.description, sizeof(b.description), "other");
	b.connect_retry = 1;
	b.line = 99;
	assert_false(config_neighbor_differs(&a, &b));
	/* What the OPEN or the transport depends on needs a new session. */
	b = a;
	b.remote_as++;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.port++;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.passive = !b.passive;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.hold_time = 180;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.keepalive = 2;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.addr = addr("192.0.2.2");
	assert_true(config_neighbor_differs(&a, &b));
	/* families and the IPv6 next hop go into the OPEN and the export */
	b = a;
	b.families = CONF_FAM_IPV4;
	assert_true(config_neighbor_differs(&a, &b));
	b = a;
	b.next_hop_v6 = addr("fd00:198:18::1");
	assert_true(config_neighbor_differs(&a, &b));
}

/* families (default both) and next-hop-v6, and how they print */
static void
test_families(void **state)
{
	static const char text[] =
	    "router-id 198.18.0.1\nlocal-as 64512\n"
	    "neighbor 198.18.0.2 { remote-as 64512 }\n"
	    "neighbor 198.18.0.3 {\n remote-as 64512\n families ipv6 ipv4\n"
	    " next-hop-v6 fd00:198:18::1\n}\n"
	    "neighbor fd00:198:18::4 {\n remote-as 64512\n families ipv6\n}\n"
	    "neighbor 198.18.0.5 {\n remote-as 64512\n families ipv4\n}\n";
	struct wren_config *c = tu_parse_ok(text);
	const struct neighbor_conf *nb;
	struct wr_addr nh = addr("fd00:198:18::1");
	char *s;

	nb = nth_neighbor(c, 0);
	assert_int_equal(nb->families, CONF_FAM_IPV4 | CONF_FAM_IPV6);
	assert_int_equal(nb->next_hop_v6.af, 0);
	nb = nth_neighbor(c, 1);
	assert_int_equal(nb->families, CONF_FAM_IPV4 | CONF_FAM_IPV6);
	assert_int_equal(addr_cmp(&nb->next_hop_v6, &nh), 0);
	assert_int_equal(nth_neighbor(c, 2)->families, CONF_FAM_IPV6);
	assert_int_equal(nth_neighbor(c, 3)->families, CONF_FAM_IPV4);
	s = tu_print(c);
	assert_non_null(strstr(s, "\tfamilies ipv4 ipv6\n"
				  "\tnext-hop-v6 fd00:198:18::1\n"));
	assert_non_null(strstr(s, "\tfamilies ipv6\n}"));
	assert_non_null(strstr(s, "\tfamilies ipv4\n}"));
	free(s);
	config_free(c);
	round_trip(text);
}

/* RFC 4456: cluster-id and route-reflector-client */
static void
test_route_reflection(void **state)
{
	static const char text[] =
	    "router-id 198.18.0.1\nlocal-as 64512\ncluster-id 198.18.255.1\n"
	    "neighbor 198.18.0.2 {\n remote-as 64512\n"
	    " route-reflector-client\n}\n"
	    "neighbor 198.18.0.3 { remote-as 64512 }\n";
	struct wren_config *c = tu_parse_ok(text);
	char *s;

	assert_int_equal(c->cluster_id, 0xc612ff01);
	assert_int_equal(nth_neighbor(c, 0)->rr_client, 1);
	assert_int_equal(nth_neighbor(c, 1)->rr_client, 0);
	assert_true(config_neighbor_differs(nth_neighbor(c, 0),
	    nth_neighbor(c, 1)));
	s = tu_print(c);
	assert_non_null(strstr(s, "cluster-id 198.18.255.1\n"));
	assert_non_null(strstr(s, "\troute-reflector-client\n"));
	free(s);
	config_free(c);
	round_trip(text);
	check_errors("router-id 198.18.0.1\nlocal-as 64512\n"
	    "cluster-id 0.0.0.0\n",
	    "t.conf:3: cluster-id: '0.0.0.0' is not a non-zero IPv4 "
	    "address\n");
	check_errors("router-id 198.18.0.1\nlocal-as 64512\n"
	    "neighbor 198.18.0.2 {\n remote-as 64513\n"
	    " route-reflector-client\n}\n",
	    "t.conf:3: neighbor 198.18.0.2: route-reflector-client needs an "
	    "iBGP neighbor (remote-as 64512)\n");
	/* a neighbor block in between must not hide a duplicate */
	check_errors("router-id 198.18.0.1\nlocal-as 64512\n"
	    "cluster-id 198.18.255.1\nneighbor 198.18.0.2 {\n remote-as "
	    "64512\n}\ncluster-id 198.18.255.2\n",
	    "t.conf:7: duplicate cluster-id (first at line 3)\n");
}

/* RFC 7911: add-path send | receive | both */
static void
test_add_path(void **state)
{
	static const char text[] =
	    "router-id 198.18.0.1\nlocal-as 64512\n"
	    "neighbor 198.18.0.2 {\n remote-as 64512\n add-path both\n}\n"
	    "neighbor 198.18.0.3 {\n remote-as 64512\n add-path send\n}\n"
	    "neighbor 198.18.0.4 {\n remote-as 64512\n add-path receive\n}\n"
	    "neighbor 198.18.0.5 { remote-as 64512 }\n";
	struct wren_config *c = tu_parse_ok(text), *d;
	char *s;

	assert_int_equal(nth_neighbor(c, 0)->add_path,
	    CONF_ADDPATH_SEND | CONF_ADDPATH_RECEIVE);
	assert_int_equal(nth_neighbor(c, 1)->add_path, CONF_ADDPATH_SEND);
	assert_int_equal(nth_neighbor(c, 2)->add_path, CONF_ADDPATH_RECEIVE);
	assert_int_equal(nth_neighbor(c, 3)->add_path, 0);
	s = tu_print(c);
	assert_non_null(strstr(s, "\tadd-path both\n"));
	assert_non_null(strstr(s, "\tadd-path send\n"));
	assert_non_null(strstr(s, "\tadd-path receive\n"));
	free(s);
	/* a change of add-path needs a new session (new capabilities) */
	d = tu_parse_ok(text);
	assert_false(config_neighbor_differs(nth_neighbor(c, 0),
	    nth_neighbor(d, 0)));
	nth_neighbor(d, 0)->add_path = CONF_ADDPATH_RECEIVE;
	assert_true(config_neighbor_differs(nth_neighbor(c, 0),
	    nth_neighbor(d, 0)));
	config_free(d);
	config_free(c);
	round_trip(text);
	check_errors("router-id 198.18.0.1\nlocal-as 64512\n"
	    "neighbor 198.18.0.2 {\n remote-as 64512\n add-path all\n}\n",
	    "t.conf:5: add-path: expected 'send', 'receive' or 'both'\n");
}

/* ---- transport, policy and groups (RFC 2385, 5925, 5082, 4486) ---------- */

static const char transport_conf[] = H
    "neighbor 198.18.0.2 {\n"
    "\tremote-as 64513\n"
    "\tpassword \"s3cr\\\"et\"\n"
    "\tttl-security hops 2\n"
    "\tsource-address 198.18.0.1\n"
    "\tnext-hop keep\n"
    "\tlocal-as 64600\n"
    "\tallow-local-as 2\n"
    "\tmax-prefix 100 restart 5\n"
    "}\n"
    "neighbor fd00::2 {\n"
    "\tremote-as 65000\n"
    "\ttcp-ao key-id 1 rnext-id 2 algorithm hmac-sha256 password \"k\"\n"
    "\tmultihop 3\n"
    "\tnext-hop self\n"
    "\tmax-prefix 10 warning-only\n"
    "}\n";

static void
test_transport_keywords(void **state)
{
	struct wren_config *c = tu_parse_ok(transport_conf);
	struct neighbor_conf *a = nth_neighbor(c, 0), *b = nth_neighbor(c, 1);

	assert_string_equal(a->password, "s3cr\"et");
	assert_int_equal(a->ao.alg, 0);
	assert_int_equal(a->ttl_security, 2);
	assert_int_equal(a->multihop, 0);
	assert_int_equal(addr_cmp(&a->source, &(struct wr_addr){ 0 }), 1);
	assert_int_equal(a->next_hop, CONF_NH_KEEP);
	assert_int_equal(a->local_as, 64600);
	assert_int_equal(CONF_LOCAL_AS(c, a), 64600);
	assert_int_equal(a->allow_local_as, 2);
	assert_int_equal(a->max_prefix, 100);
	assert_false(a->max_prefix_warn);
	assert_int_equal(a->max_prefix_restart, 5);
	assert_int_equal(b->ao.alg, CONF_AO_HMAC_SHA256);
	assert_int_equal(b->ao.send_id, 1);
	assert_int_equal(b->ao.recv_id, 2);
	assert_string_equal(b->ao.password, "k");
	assert_int_equal(b->multihop, 3);
	assert_int_equal(b->next_hop, CONF_NH_SELF);
	assert_int_equal(CONF_LOCAL_AS(c, b), 65000);
	assert_true(b->max_prefix_warn);
	assert_string_equal(config_ao_alg_name(CONF_AO_AES_128_CMAC),
	    "aes-128-cmac");
	config_free(c);
	round_trip(transport_conf);
}

static void
test_transport_round_trip(void **state)
{
	struct wren_config *a = tu_parse_ok(transport_conf), *b;
	const struct neighbor_conf *x, *y;
	char *s = tu_print(a);

	b = tu_parse_ok(s);
	for (x = a->neighbors, y = b->neighbors; x && y;
	    x = x->next, y = y->next) {
		assert_false(config_neighbor_differs(x, y));
		assert_int_equal(x->next_hop, y->next_hop);
		assert_int_equal(x->allow_local_as, y->allow_local_as);
		assert_int_equal(x->max_prefix, y->max_prefix);
		assert_int_equal(x->max_prefix_warn, y->max_prefix_warn);
		assert_int_equal(x->max_prefix_restart, y->max_prefix_restart);
	}
	assert_true(x == NULL && y == NULL);
	assert_non_null(strstr(s, "\tpassword \"s3cr\\\"et\"\n"));
	assert_non_null(strstr(s, "\ttcp-ao key-id 1 rnext-id 2 algorithm "
	    "hmac-sha256 password \"k\"\n"));
	assert_non_null(strstr(s, "\tmax-prefix 100 restart 5\n"));
	assert_non_null(strstr(s, "\tmax-prefix 10 warning-only\n"));
	free(s);
	config_free(a);
	config_free(b);
}

static void
test_transport_errors(void **state)
{
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n password \"\"\n}\n",
	    "t.conf:5: password: must not be empty\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n password x\n}\n",
	    "t.conf:5: password: expected a quoted string\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n password \""
	    "123456789012345678901234567890123456789012345678901234567890"
	    "123456789012345678901\"\n}\n",
	    "t.conf:5: password: too long (max 79 characters)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n password \"a\"\n"
	    " password \"b\"\n}\n",
	    "t.conf:6: duplicate password (first at line 5)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n tcp-ao key-id 1\n"
	    "}\n", "t.conf:5: tcp-ao: expected key-id N rnext-id M algorithm "
	    "ALG password \"SECRET\"\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n tcp-ao key-id 256"
	    " rnext-id 1 algorithm hmac-sha1 password \"x\"\n}\n",
	    "t.conf:5: tcp-ao key-id: 256 is out of range (0..255)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n tcp-ao key-id 1 "
	    "rnext-id 1 algorithm md5 password \"x\"\n}\n",
	    "t.conf:5: tcp-ao: unknown algorithm 'md5' (hmac-sha1, "
	    "hmac-sha256, aes-128-cmac)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n password \"a\"\n"
	    " tcp-ao key-id 1 rnext-id 1 algorithm hmac-sha1 password \"x\"\n"
	    "}\n", "t.conf:6: neighbor 198.18.0.2: password (TCP MD5) and "
	    "tcp-ao exclude each other\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n ttl-security\n"
	    " multihop 2\n}\n", "t.conf:6: neighbor 198.18.0.2: multihop and "
	    "ttl-security exclude each other\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n ttl-security "
	    "hops 255\n}\n",
	    "t.conf:5: ttl-security hops: 255 is out of range (1..254)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n multihop 0\n}\n",
	    "t.conf:5: multihop: 0 is out of range (1..255)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n source-address "
	    "fd00::1\n}\n", "t.conf:5: source-address: not of the address "
	    "family of neighbor 198.18.0.2\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n next-hop peer\n"
	    "}\n", "t.conf:5: next-hop: expected 'self' or 'keep'\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n local-as 0\n}\n",
	    "t.conf:5: local-as: '0' is not a valid AS number "
	    "(1..4294967295 or asdot 0.1..65535.65535)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n allow-local-as "
	    "256\n}\n",
	    "t.conf:5: allow-local-as: 256 is out of range (0..255)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n max-prefix 0\n}\n",
	    "t.conf:5: max-prefix: 0 is out of range (1..4294967295)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n max-prefix 5 "
	    "warning-only restart 1\n}\n", "t.conf:5: max-prefix: "
	    "warning-only never goes down, so restart does not apply\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n max-prefix 5 "
	    "restart\n}\n", "t.conf:5: max-prefix restart: expected a number\n");
}

static const char group_conf[] = H
    "group \"tor\" {\n"
    "\tremote-as 64513\n"
    "\tpassword \"g\"\n"
    "\tmax-prefix 50\n"
    "\tneighbor 198.18.0.2\n"
    "\tneighbor 198.18.0.3 {\n"
    "\t\tpassword \"own\"\n"
    "\t\tname \"three\"\n"
    "\t}\n"
    "}\n"
    "neighbor 198.18.0.4 {\n"
    "\tremote-as 65000\n"
    "}\n";

static void
test_groups(void **state)
{
	struct wren_config *c = tu_parse_ok(group_conf);
	struct neighbor_conf *a = nth_neighbor(c, 0), *b = nth_neighbor(c, 1);
	struct neighbor_conf *d = nth_neighbor(c, 2);

	assert_int_equal(a->remote_as, 64513);
	assert_string_equal(a->password, "g");
	assert_int_equal(a->max_prefix, 50);
	assert_int_equal(a->line, 7);
	assert_int_equal(b->remote_as, 64513);
	assert_string_equal(b->password, "own");
	assert_string_equal(b->name, "three");
	assert_int_equal(b->max_prefix, 50);
	assert_int_equal(d->remote_as, 65000);
	assert_string_equal(d->password, "");
	assert_int_equal(d->max_prefix, 0);
	assert_null(d->next);
	config_free(c);
	round_trip(group_conf);
}

static void
test_group_errors(void **state)
{
	check_errors(H "group \"g\" {\n neighbor 198.18.0.2\n}\n",
	    "t.conf:4: neighbor 198.18.0.2: remote-as is required\n");
	check_errors(H "group \"g\" {\n remote-as 1\n neighbor 198.18.0.2\n"
	    " password \"x\"\n}\n", "t.conf:6: password: group settings must "
	    "come before the group's neighbors\n");
	check_errors(H "group \"g\" {\n remote-as 1\n remote-as 2\n}\n",
	    "t.conf:5: duplicate remote-as (first at line 4)\n");
	check_errors(H "neighbor 198.18.0.2 {\n remote-as 1\n neighbor "
	    "198.18.0.3\n}\n", "t.conf:5: unknown keyword 'neighbor'\n");
	check_errors(H "group \"g\" {\n remote-as 1\n neighbor 198.18.0.2\n}\n"
	    "neighbor 198.18.0.2 {\n remote-as 1\n}\n",
	    "t.conf:7: duplicate neighbor 198.18.0.2 (first at line 5)\n");
	check_errors(H "group \"g\" {\n remote-as 1\n", "t.conf:3: group: "
	    "missing '}'\n");
}

static void
test_transport_differs(void **state)
{
	struct wren_config *c = tu_parse_ok(transport_conf);
	struct neighbor_conf a = *nth_neighbor(c, 0), b;

	config_free(c);
	/* The transport and the AS we present need a new session... */
	b = a, b.password[0] = 'x';
	assert_true(config_neighbor_differs(&a, &b));
	b = a, b.ao.recv_id = 9;
	assert_true(config_neighbor_differs(&a, &b));
	b = a, b.ttl_security = 1;
	assert_true(config_neighbor_differs(&a, &b));
	b = a, b.multihop = 4;
	assert_true(config_neighbor_differs(&a, &b));
	b = a, b.source.af = 0;
	assert_true(config_neighbor_differs(&a, &b));
	b = a, b.local_as = 1;
	assert_true(config_neighbor_differs(&a, &b));
	/* ...policy applies in place (next-hop by a re-export). */
	b = a, b.next_hop = CONF_NH_SELF, b.allow_local_as = 0;
	b.max_prefix = 7, b.max_prefix_warn = 1, b.max_prefix_restart = 0;
	assert_false(config_neighbor_differs(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interface_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_keyword),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_asn_forms),
		cmocka_unit_test(test_buffer_length),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_parse_file_missing),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_large_mesh),
		cmocka_unit_test(test_top_errors),
		cmocka_unit_test(test_as_errors),
		cmocka_unit_test(test_lex_errors),
		cmocka_unit_test(test_misc_errors),
		cmocka_unit_test(test_kernel_errors),
		cmocka_unit_test(test_gr_errors),
		cmocka_unit_test(test_neighbor_errors),
		cmocka_unit_test(test_long_tokens),
		cmocka_unit_test(test_too_many_patterns),
		cmocka_unit_test(test_too_many_tables),
		cmocka_unit_test(test_kernel_keywords),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_invalid_file),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_print_golden),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_find_neighbor),
		cmocka_unit_test(test_neighbor_differs),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_route_reflection),
	    cmocka_unit_test(test_add_path),
		cmocka_unit_test(test_transport_keywords),
		cmocka_unit_test(test_transport_round_trip),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_group_errors),
		cmocka_unit_test(test_transport_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
