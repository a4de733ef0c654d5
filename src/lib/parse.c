/* parse.c -- strict numbers, one grammar for the grulab command, the
 * chapters' options and the tensor reader, so that all three take and
 * refuse the same things:
 *
 *   [+-] (D+ [. D*] | . D+) [(e|E) [+-] D+]       decimal only
 *
 * A number that underflows rounds to a subnormal or to zero, as strtod
 * rounds it ("1e-400" is 0); one that overflows is refused, and so are
 * NaN, Inf, hexadecimal ("0x1p-3"), blanks and anything left over. */
#include <config.h>
#include "grulab.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Is s[0, len) a decimal number of the grammar above? */
static int is_decimal(const char *s, size_t len)
{
  size_t i = 0, digits = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  while (i < len && isdigit((unsigned char)s[i]))
    i++, digits++;
  if (i < len && s[i] == '.') {
    i++;
    while (i < len && isdigit((unsigned char)s[i]))
      i++, digits++;
  }
  if (digits == 0)
    return 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t ed = 0;
    while (i < len && isdigit((unsigned char)s[i]))
      i++, ed++;
    if (ed == 0)
      return 0;
  }
  return i == len;
}

/* Does s[0, len) spell a NaN or an infinity the way strtod would? */
static int spells_nonfinite(const char *s, size_t len)
{
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  return len - i >= 3 && (strncasecmp(s + i, "nan", 3) == 0
                          || strncasecmp(s + i, "inf", 3) == 0);
}

int grl_number_scan(const char *s, size_t len, double *v)
{
  if (!is_decimal(s, len))
    return spells_nonfinite(s, len) ? GRL_NUM_NONFINITE : GRL_NUM_SYNTAX;
  /* strtod's grammar takes every decimal number of ours whole; it must
   * stop exactly at len (the caller's token ends there).  ERANGE on
   * underflow is fine: the value is the rounded subnormal or zero. */
  char *e;
  double x = strtod(s, &e);
  if (e != s + len)
    return GRL_NUM_SYNTAX;
  if (!isfinite(x))
    return GRL_NUM_OVERFLOW;
  if (v)
    *v = x;
  return GRL_NUM_OK;
}

int grl_parse_double(const char *s, double *v)
{
  if (!s || grl_number_scan(s, strlen(s), v) != GRL_NUM_OK)
    return GRL_EINVAL;
  return GRL_OK;
}
