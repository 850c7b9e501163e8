/* tests/unit/testutil.c: see testutil.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "msg.h"
#include "testutil.h"

struct bgp_update	*tu_upd;
struct bgp_err		 tu_err;

struct wren_config *
tu_parse_len(const char *text, size_t len, char **err)
{
	struct wren_config *c;
	size_t n;
	FILE *f;

	*err = NULL;
	f = open_memstream(err, &n);
	assert_non_null(f);
	c = config_parse_buf("t.conf", text, len, f);
	fclose(f);
	return c;
}

struct wren_config *
tu_parse(const char *text, char **err)
{
	return tu_parse_len(text, strlen(text), err);
}

struct wren_config *
tu_parse_ok(const char *text)
{
	struct wren_config *c;
	char *err;

	c = tu_parse(text, &err);
	if (c == NULL || err[0] != '\0')
		fail_msg("input:\n%s\nunexpected errors:\n%s", text, err);
	free(err);
	return c;
}

void
tu_parse_err(const char *text, const char *want)
{
	struct wren_config *c;
	char *err;

	c = tu_parse(text, &err);
	if (strstr(err, want) == NULL)
		fail_msg("input:\n%s\nexpected:\n%s\ngot:\n%s", text, want,
		    err);
	assert_null(c);
	free(err);
}

char *
tu_print(const struct wren_config *c)
{
	char *s = NULL;
	size_t n;
	FILE *f;

	f = open_memstream(&s, &n);
	assert_non_null(f);
	config_print(c, f);
	fclose(f);
	return s;
}

char *
tu_read_file(const char *path)
{
	char *buf;
	long len;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

int
tu_upd_setup(void **state)
{
	(void)state;
	tu_upd = bgp_update_new(BGP_MAX_LEN_EXT);
	return tu_upd == NULL ? -1 : 0;
}

int
tu_upd_teardown(void **state)
{
	(void)state;
	free(tu_upd);
	tu_upd = NULL;
	return 0;
}

void
tu_assert_err(unsigned code, unsigned subcode)
{
	assert_int_equal(tu_err.code, code);
	assert_int_equal(tu_err.subcode, subcode);
}
