/* parse.c -- the strict number parsing the command and the chapters share. */
#include <config.h>
#include "grulab.h"
#include "tap.h"

#include <gsl/gsl_errno.h>

int main(void)
{
  gsl_set_error_handler_off();
  plan(22);
  unsigned long u = 7;
  is_int(grl_parse_ulong("2385", &u), GRL_OK, "'2385' is an integer");
  is_int((long)u, 2385, "... with the value 2385");
  u = 7;
  is_int(grl_parse_ulong("-1", &u), GRL_EINVAL, "'-1' is refused, not wrapped to ULONG_MAX");
  is_int(grl_parse_ulong(" -1", &u), GRL_EINVAL, "' -1' (leading blank) is refused");
  is_int(grl_parse_ulong("+7", &u), GRL_EINVAL, "'+7' is refused");
  is_int(grl_parse_ulong("12abc", &u), GRL_EINVAL, "'12abc' is refused");
  is_int(grl_parse_ulong("99999999999999999999999", &u), GRL_EINVAL, "overflow is refused");
  is_int((long)u, 7, "a refused string leaves the value alone");

  double d = 0.5;
  is_int(grl_parse_double("-0.731", &d), GRL_OK, "'-0.731' is a number");
  is_double(d, -0.731, 0.0, "... with the value -0.731");
  is_int(grl_parse_double(" 0.1", &d), GRL_EINVAL, "' 0.1' (leading blank) is refused");
  is_int(grl_parse_double("nan", &d), GRL_EINVAL, "'nan' is refused");
  is_int(grl_parse_double("1e999", &d), GRL_EINVAL, "'1e999' (overflow) is refused");
  is_int(grl_parse_double("2.385x", &d), GRL_EINVAL, "'2.385x' is refused");
  /* One grammar with the tensor reader (tests/lib/tensor.c): decimal only,
   * underflow rounds to zero, hexadecimal is refused. */
  d = 0.5;
  is_int(grl_parse_double("1e-400", &d), GRL_OK, "'1e-400' (underflow) is accepted");
  is_double(d, 0.0, 0.0, "... and rounds to 0, as the tensor reader reads it");
  is_int(grl_parse_double("5e-324", &d), GRL_OK, "'5e-324' is accepted");
  ok(d > 0.0 && d < 1e-300, "... and stays subnormal");
  d = 0.5;
  is_int(grl_parse_double("0x1p-3", &d), GRL_EINVAL, "'0x1p-3' (hexadecimal) is refused");
  is_double(d, 0.5, 0.0, "... and leaves the value alone");
  is_int(grl_parse_double("-Infinity", &d), GRL_EINVAL, "'-Infinity' is refused");
  is_int(grl_parse_double(".5e", &d), GRL_EINVAL, "'.5e' (no exponent digits) is refused");
  return exit_status();
}
