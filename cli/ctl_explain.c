/* ctl_explain.c -- TEMPORARY placeholder so steerctl links while the steering helper writes the real verbs. */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>

int ctl_explain(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}
