/*
 * lib/prom.h: the Prometheus text exposition format (version 0.0.4), for
 * bgpd/metrics.c.  A family is a "# HELP" and a "# TYPE" line, then its
 * samples: name{label="value",...} value.  Label values and help text are
 * escaped as the format requires (\\, \" and \n); names that the format
 * does not allow are refused, never written half-valid.
 */
#ifndef WREN_PROM_H
#define WREN_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct prom_label {
	const char	*name;
	const char	*value;
};

/* type: "counter", "gauge", "untyped".  -1 if the name is not valid. */
int	prom_family(FILE *, const char *name, const char *type,
	    const char *help);
/* One sample; -1 (nothing written) if a metric or label name is invalid. */
int	prom_sample(FILE *, const char *name, const struct prom_label *,
	    size_t nlabels, uint64_t value);
/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics; labels: no ':', no "__" start. */
int	prom_metric_name_ok(const char *);
int	prom_label_name_ok(const char *);
/* Escape a label value (quote 1) or help text (quote 0) to out. */
void	prom_escape(FILE *, const char *, int quote);

#endif
