/*
 * tests/unit/test_ctl.c: the operating helpers without a daemon: the
 * wrenctl command grammar (bgpd/ctlcmd.c), its suggestions for typos, and
 * the Prometheus text format (lib/prom.c) with its escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlcmd.h"
#include "prom.h"

/* ---- ctlcmd -------------------------------------------------------------- */

static int
parse(const char *line, struct ctl_cmd *c, char *err, size_t len)
{
	err[0] = '\0';
	return ctl_cmd_parse(line, c, err, len);
}

static void
t_cmd_valid(void **state)
{
	struct ctl_cmd c;
	char err[256];

	assert_int_equal(parse("show status", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_STATUS);
	assert_false(c.changes_state);
	assert_int_equal(parse("  show\tneighbors 198.18.0.2\n", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_NEIGHBORS);
	assert_true(c.flags & CTL_F_NEIGHBOR);
	assert_int_equal(parse("show neighbors fd00::2", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.neighbor.af, AF_INET6);
	assert_int_equal(parse("reload", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_RELOAD);
	assert_true(c.changes_state);
	assert_int_equal(parse("neighbor 198.18.0.2 restart", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.id, CTL_NEIGHBOR);
	assert_int_equal(c.verb, CTL_NB_RESTART);
	assert_true(c.changes_state);
	assert_string_equal(ctl_cmd_name(&c), "neighbor restart");
	assert_int_equal(parse("show kernel", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_KERNEL);
}

static void
t_cmd_routes(void **state)
{
	struct ctl_cmd c;
	char err[256], buf[WR_PFXSTRLEN];

	assert_int_equal(parse("show routes", &c, err, sizeof(err)), 0);
	assert_int_equal(c.flags, 0);
	/* a prefix is exact; its host bits are masked */
	assert_int_equal(parse("show routes 10.244.1.7/24", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.flags, CTL_F_PREFIX);
	assert_string_equal(prefix_ntop(&c.prefix, buf, sizeof(buf)),
	    "10.244.1.0/24");
	/* an address asks for the longest match */
	assert_int_equal(parse("show routes 10.244.1.7", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.flags, CTL_F_MATCH);
	/* neighbor filter, before or after the prefix */
	assert_int_equal(parse("show routes neighbor 198.18.0.2", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.flags, CTL_F_NEIGHBOR);
	assert_int_equal(parse("show routes neighbor 198.18.0.2 10.0.0.0/8",
	    &c, err, sizeof(err)), 0);
	assert_int_equal(c.flags, CTL_F_NEIGHBOR | CTL_F_PREFIX);
	assert_int_equal(parse("show routes 10.0.0.1 neighbor 198.18.0.2",
	    &c, err, sizeof(err)), 0);
	assert_int_equal(c.flags, CTL_F_NEIGHBOR | CTL_F_MATCH);
	/* two prefixes, a neighbor without address, junk: usage */
	assert_int_equal(parse("show routes 10.0.0.0/8 10.0.0.0/8", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "usage: show routes"));
	assert_int_equal(parse("show routes neighbor", &c, err, sizeof(err)),
	    -1);
	assert_int_equal(parse("show routes 10.0.0.0/33", &c, err,
	    sizeof(err)), -1);
}

static void
t_cmd_rib(void **state)
{
	struct ctl_cmd c;
	char err[256];

	assert_int_equal(parse("show rib in neighbor 198.18.0.2", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_RIB_IN);
	assert_int_equal(parse("show rib out neighbor 198.18.0.2 10.1.2.3",
	    &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_RIB_OUT);
	assert_int_equal(c.flags, CTL_F_NEIGHBOR | CTL_F_MATCH);
	assert_int_equal(parse("show rib in", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "usage: show rib"));
	assert_int_equal(parse("show rib inn neighbor 1.2.3.4", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "did you mean \"show rib in\""));
}

static void
t_cmd_suggest(void **state)
{
	struct ctl_cmd c;
	char err[256];

	assert_int_equal(parse("show neigbors", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown command \"show neigbors\": did you "
	    "mean \"show neighbors\"?");
	assert_int_equal(parse("shwo status", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "did you mean \"show\""));
	assert_int_equal(parse("relaod", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "did you mean \"reload\""));
	assert_int_equal(parse("neighbor 1.2.3.4 rfresh", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "\"neighbor ADDRESS refresh\""));
	/* nothing close: the list of commands */
	assert_int_equal(parse("xyzzy", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "try: show, reload, neighbor"));
	/* what is echoed back is printable */
	assert_int_equal(parse("\x01\x02\x7f", &c, err, sizeof(err)), -1);
	assert_null(strchr(err, '\x01'));
	assert_int_equal(parse("", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "empty command");
	assert_int_equal(parse("reload now", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "usage: reload");
}

/* show neighbors|bfd [ADDRESS]: one optional neighbor address */
static void
t_cmd_opt_addr(void **state)
{
	struct ctl_cmd c;
	char err[256];

	assert_int_equal(parse("show bfd", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_BFD);
	assert_false(c.flags & CTL_F_NEIGHBOR);
	assert_int_equal(parse("show bfd fd00::2", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, CTL_SHOW_BFD);
	assert_true(c.flags & CTL_F_NEIGHBOR);
	assert_int_equal(c.neighbor.af, AF_INET6);
	assert_int_equal(parse("show bfd 10.0.0.300", &c, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "usage: show bfd [ADDRESS]");
	assert_int_equal(parse("show bfd 10.0.0.1 10.0.0.2", &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "usage: show bfd [ADDRESS]");
	assert_int_equal(parse("show neighbor 10.0.0.1 x", &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "usage: show neighbors [ADDRESS]");
	assert_int_equal(parse("show neighbors", &c, err, sizeof(err)), 0);
	assert_false(c.flags & CTL_F_NEIGHBOR);
}

static void
t_cmd_limits(void **state)
{
	struct ctl_cmd c;
	char err[64], *big;

	/* too many words, too long a line, a tiny error buffer */
	assert_int_equal(parse("show routes a b c d e f g h i", &c, err,
	    sizeof(err)), -1);
	big = malloc(5000);
	assert_non_null(big);
	memset(big, 'a', 4999);
	big[4999] = '\0';
	assert_int_equal(parse(big, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "command too long");
	free(big);
	assert_int_equal(parse("show neigbors", &c, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(ctl_word_distance("kitten", "sitting"), 3);
	assert_int_equal(ctl_word_distance("", "abc"), 3);
	assert_int_equal(ctl_word_distance("same", "same"), 0);
}

/* ---- prom ---------------------------------------------------------------- */

static char *
prom_run(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	fclose(f);
	return buf;
}

static void
prom_basic(FILE *f)
{
	struct prom_label l[2] = { { "neighbor", "198.18.0.2" },
	    { "type", "UPDATE" } };

	assert_int_equal(prom_family(f, "wren_x_total", "counter",
	    "Things."), 0);
	assert_int_equal(prom_sample(f, "wren_x_total", l, 2, 42), 0);
	assert_int_equal(prom_sample(f, "wren_x_total", NULL, 0,
	    18446744073709551615ULL), 0);
}

static void
t_prom_format(void **state)
{
	char *s = prom_run(prom_basic);

	assert_string_equal(s, "# HELP wren_x_total Things.\n"
	    "# TYPE wren_x_total counter\n"
	    "wren_x_total{neighbor=\"198.18.0.2\",type=\"UPDATE\"} 42\n"
	    "wren_x_total 18446744073709551615\n");
	free(s);
}

static void
prom_escaping(FILE *f)
{
	struct prom_label l = { "name", "a\\b\"c\nd" };

	prom_family(f, "wren_e", "gauge", "back\\slash \"quoted\"\nnext");
	prom_sample(f, "wren_e", &l, 1, 1);
}

/* Exposition format: \\ and \n in HELP; \\, \" and \n in label values. */
static void
t_prom_escape(void **state)
{
	char *s = prom_run(prom_escaping);

	assert_string_equal(s, "# HELP wren_e back\\\\slash \"quoted\"\\nnext\n"
	    "# TYPE wren_e gauge\n"
	    "wren_e{name=\"a\\\\b\\\"c\\nd\"} 1\n");
	free(s);
}

static void
prom_invalid(FILE *f)
{
	struct prom_label bad[] = { { "9x", "v" } }, res[] = { { "__x", "v" } };
	struct prom_label nul[] = { { "ok", NULL } };

	assert_int_equal(prom_family(f, "1wren", "gauge", "x"), -1);
	assert_int_equal(prom_sample(f, "wren-x", NULL, 0, 1), -1);
	assert_int_equal(prom_sample(f, "wren_x", bad, 1, 1), -1);
	assert_int_equal(prom_sample(f, "wren_x", res, 1, 1), -1);
	assert_int_equal(prom_sample(f, "wren_x", nul, 1, 1), -1);
	assert_int_equal(prom_sample(f, "wren:x_y", NULL, 0, 0), 0);
}

static void
t_prom_invalid(void **state)
{
	char *s = prom_run(prom_invalid);

	/* only the valid one was written, nothing half-written */
	assert_string_equal(s, "wren:x_y 0\n");
	free(s);
	assert_true(prom_label_name_ok("neighbor"));
	assert_false(prom_label_name_ok("a:b"));
	assert_false(prom_metric_name_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_cmd_valid),
		cmocka_unit_test(t_cmd_routes),
		cmocka_unit_test(t_cmd_rib),
		cmocka_unit_test(t_cmd_suggest),
		cmocka_unit_test(t_cmd_opt_addr),
		cmocka_unit_test(t_cmd_limits),
		cmocka_unit_test(t_prom_format),
		cmocka_unit_test(t_prom_escape),
		cmocka_unit_test(t_prom_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
