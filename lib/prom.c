/* lib/prom.c: see prom.h. */
#include "prom.h"

#include <string.h>

static int
name_ok(const char *s, int colon)
{
	const char *c;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (c = s; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' ||
		    (colon && *c == ':')))
			return 0;
	return 1;
}

int
prom_metric_name_ok(const char *s)
{
	return name_ok(s, 1);
}

/* Label names starting with "__" are reserved for Prometheus itself. */
int
prom_label_name_ok(const char *s)
{
	return name_ok(s, 0) && strncmp(s, "__", 2) != 0;
}

void
prom_escape(FILE *out, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (quote && *s == '"')
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

int
prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	if (!prom_metric_name_ok(name))
		return -1;
	fprintf(out, "# HELP %s ", name);
	prom_escape(out, help, 0);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
	return 0;
}

int
prom_sample(FILE *out, const char *name, const struct prom_label *l,
    size_t n, uint64_t value)
{
	size_t i;

	if (!prom_metric_name_ok(name))
		return -1;
	for (i = 0; i < n; i++)
		if (!prom_label_name_ok(l[i].name) || l[i].value == NULL)
			return -1;
	fputs(name, out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s%s=\"", i == 0 ? "{" : ",", l[i].name);
		prom_escape(out, l[i].value, 1);
		fputc('"', out);
	}
	fprintf(out, "%s %llu\n", n > 0 ? "}" : "", (unsigned long long)value);
	return 0;
}
