/* ctl_health.c -- TEMPORARY placeholder so steerctl links while the healthd helper writes the real verbs. */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_drain(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_undrain(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}

int ctl_force_up(const struct ctl_opts *o, int argc, char **argv)
{
	fprintf(stderr, "steerctl: %s is not implemented yet\n", argv[0]);
	return CTL_FAILED;
}
