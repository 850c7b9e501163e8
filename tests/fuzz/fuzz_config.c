/*
 * tests/fuzz/fuzz_config.c: libFuzzer target for the peers.conf parser.
 * Besides "never crash, never leak", it checks the config_print promise:
 * whatever parses prints to a text that parses back and prints the same.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Irib -Ibgpd \
 *	    tests/fuzz/fuzz_config.c bgpd/config.c lib/[a-z]*.c -o fuzz_config
 *	./fuzz_config -dict=tests/fuzz/config.dict tests/fuzz/corpus/config
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
fuzz_print(const struct wren_config *c, size_t *len)
{
	char *s = NULL;
	FILE *f;

	if ((f = open_memstream(&s, len)) == NULL)
		abort();
	config_print(c, f);
	fclose(f);
	return s;
}

static void
fuzz_round_trip(const struct wren_config *c, FILE *devnull)
{
	struct wren_config *c2;
	char *s1, *s2;
	size_t l1, l2;

	s1 = fuzz_print(c, &l1);
	if ((c2 = config_parse_buf("print", s1, l1, devnull)) == NULL)
		abort();	/* printed config does not parse */
	s2 = fuzz_print(c2, &l2);
	if (l1 != l2 || memcmp(s1, s2, l1) != 0)
		abort();	/* printing is not a fixed point */
	config_free(c2);
	free(s1);
	free(s2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct wren_config *c;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	c = config_parse_buf("fuzz", (const char *)data, size, devnull);
	if (c != NULL) {
		fuzz_round_trip(c, devnull);
		config_free(c);
	}
	return 0;
}
