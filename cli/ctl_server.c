/* ctl_server.c -- TEMPORARY placeholder so steerctl links while the server I/O helper writes the real verbs. */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>

int ctl_check(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_zones(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_reload(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_stats(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}
