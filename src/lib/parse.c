/* parse.c -- strict number parsing, shared by the grulab command and the
 * chapters' options, so that both refuse the same things. */
#include <config.h>
#include "grulab.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

int grl_parse_ulong(const char *s, unsigned long *v)
{
  char *end;
  /* strtoul skips leading blanks and takes a sign ("-1" wraps to
   * ULONG_MAX): the first character must be a digit. */
  if (!s || !isdigit((unsigned char)*s))
    return GRL_EINVAL;
  errno = 0;
  unsigned long x = strtoul(s, &end, 10);
  if (errno || *end)
    return GRL_EINVAL;
  *v = x;
  return GRL_OK;
}

int grl_parse_double(const char *s, double *v)
{
  char *end;
  /* No leading blanks, nothing left over, no overflow or underflow
   * (ERANGE), and finite: "nan" and "inf" are refused. */
  if (!s || !*s || isspace((unsigned char)*s))
    return GRL_EINVAL;
  errno = 0;
  double x = strtod(s, &end);
  if (errno || *end || !isfinite(x))
    return GRL_EINVAL;
  *v = x;
  return GRL_OK;
}
