/* lib/json.c: see json.h. */
#include "json.h"

#include <inttypes.h>

void
json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
}

static void
json_escape(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Comma and key before any value. */
static void
json_member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = 0;
	if (key != NULL) {
		json_escape(j->out, key);
		fputc(':', j->out);
	}
}

static void
json_push(struct json *j, const char *key, char open)
{
	json_member(j, key);
	fputc(open, j->out);
	if (j->depth < JSON_MAXDEPTH - 1)
		j->depth++;
	j->first[j->depth] = 1;
}

void
json_obj_open(struct json *j, const char *key)
{
	json_push(j, key, '{');
}

void
json_arr_open(struct json *j, const char *key)
{
	json_push(j, key, '[');
}

void
json_obj_close(struct json *j)
{
	if (j->depth > 0)
		j->depth--;
	fputc('}', j->out);
}

void
json_arr_close(struct json *j)
{
	if (j->depth > 0)
		j->depth--;
	fputc(']', j->out);
}

void
json_str(struct json *j, const char *key, const char *val)
{
	json_member(j, key);
	json_escape(j->out, val);
}

void
json_int(struct json *j, const char *key, int64_t val)
{
	json_member(j, key);
	fprintf(j->out, "%" PRId64, val);
}

void
json_uint(struct json *j, const char *key, uint64_t val)
{
	json_member(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void
json_bool(struct json *j, const char *key, int val)
{
	json_member(j, key);
	fputs(val ? "true" : "false", j->out);
}

void
json_null(struct json *j, const char *key)
{
	json_member(j, key);
	fputs("null", j->out);
}
