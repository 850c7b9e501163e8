/*
 * lib/json.h: a small streaming JSON writer (output only; Wren never parses
 * JSON).  Commas are placed automatically; strings are escaped.
 */
#ifndef WREN_JSON_H
#define WREN_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAXDEPTH	16

struct json {
	FILE	*out;
	int	 depth;
	int	 first[JSON_MAXDEPTH];	/* no member written yet at this depth */
	int	 after_key;
};

void	json_init(struct json *, FILE *);
void	json_obj_open(struct json *, const char *key);	/* key NULL in arrays */
void	json_obj_close(struct json *);
void	json_arr_open(struct json *, const char *key);
void	json_arr_close(struct json *);
void	json_str(struct json *, const char *key, const char *val);
void	json_int(struct json *, const char *key, int64_t val);
void	json_uint(struct json *, const char *key, uint64_t val);
void	json_bool(struct json *, const char *key, int val);
void	json_null(struct json *, const char *key);

#endif
