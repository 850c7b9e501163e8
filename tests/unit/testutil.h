/*
 * tests/unit/testutil.h: what the unit tests of the config-driven modules
 * share (test_config, test_policy, test_bfd): parse a peers.conf text as
 * "t.conf" with its error output captured, print a config back, read a
 * data file; and the parse buffers of the codec tests (test_msg,
 * test_attacks).  A helper that cannot do its job fails the test (cmocka).
 */
#ifndef WREN_TESTUTIL_H
#define WREN_TESTUTIL_H

#include <stddef.h>

struct wren_config;

/* Parse len octets of text; *err (to free) gets all written to errf. */
struct wren_config	*tu_parse_len(const char *text, size_t len,
			    char **err);
struct wren_config	*tu_parse(const char *text, char **err);
/* A valid text: no error output, a config back. */
struct wren_config	*tu_parse_ok(const char *text);
/* An invalid text: want somewhere in the error output, and no config. */
void			 tu_parse_err(const char *text, const char *want);
/* config_print() into a string (to free). */
char			*tu_print(const struct wren_config *);
/* A whole file, NUL-terminated (to free). */
char			*tu_read_file(const char *path);

/*
 * The BGP codec tests (test_msg, test_attacks): vectors start with M16, the
 * all-ones marker (RFC 4271 §4.1); they parse into tu_upd, far too large for
 * the stack and sized for RFC 8654 messages, which the cmocka group setup
 * tu_upd_setup() allocates; tu_err is the error of the last parse.
 */
#define M16                                                                    \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,      \
	    0xff, 0xff, 0xff, 0xff, 0xff

struct bgp_update;
extern struct bgp_update	*tu_upd;
extern struct bgp_err		 tu_err;
int			 tu_upd_setup(void **state);
int			 tu_upd_teardown(void **state);
/* tu_err has this NOTIFICATION code and subcode. */
void			 tu_assert_err(unsigned code, unsigned subcode);

#endif
