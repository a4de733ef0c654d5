/* tap.c -- see tap.h. */
#include "tap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int planned = -1, run = 0, failed = 0, lazy = 0;

static void print_plan_at_exit(void)
{
  if (lazy)
    printf("1..%d\n", run);
  fflush(stdout);
}

void plan(int n)
{
  planned = n;
  printf("1..%d\n", n);
  fflush(stdout);
}

void plan_lazy(void)
{
  lazy = 1;
  atexit(print_plan_at_exit);
}

static int vreport(int cond, const char *fmt, va_list ap)
{
  run++;
  if (!cond)
    failed++;
  printf("%s %d - ", cond ? "ok" : "not ok", run);
  vprintf(fmt, ap);
  putchar('\n');
  fflush(stdout);
  return cond;
}

int ok(int cond, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vreport(cond, fmt, ap);
  va_end(ap);
  return cond;
}

static int vis_double(double got, double want, double tol, int relative,
                      const char *fmt, va_list ap)
{
  /* relative: |got - want| <= tol*|want| (|got| <= tol when want == 0);
   * absolute: |got - want| <= tol. */
  double bound = relative && want != 0.0 ? tol * fabs(want) : tol;
  int cond = isfinite(got) == isfinite(want) && !isnan(got) && !isnan(want)
             && (got == want || fabs(got - want) <= bound);
  vreport(cond, fmt, ap);
  if (!cond)
    printf("#   got:  %.17g\n#   want: %.17g\n#   diff: %.3g (tolerance %.3g %s)\n",
           got, want, got - want, tol,
           !relative ? "absolute" : want != 0.0 ? "relative" : "absolute, as want is 0");
  return cond;
}

int is_double(double got, double want, double tol, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int cond = vis_double(got, want, tol, 1, fmt, ap);
  va_end(ap);
  return cond;
}

int is_double_abs(double got, double want, double tol, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int cond = vis_double(got, want, tol, 0, fmt, ap);
  va_end(ap);
  return cond;
}

int is_int(long got, long want, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vreport(got == want, fmt, ap);
  va_end(ap);
  if (got != want)
    printf("#   got:  %ld\n#   want: %ld\n", got, want);
  return got == want;
}

int is_string(const char *got, const char *want, const char *fmt, ...)
{
  int cond = got && want && strcmp(got, want) == 0;
  va_list ap;
  va_start(ap, fmt);
  vreport(cond, fmt, ap);
  va_end(ap);
  if (!cond)
    printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
           want ? want : "(null)");
  return cond;
}

void diag(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("# ", stdout);
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  fflush(stdout);
}

void skip(const char *fmt, ...)
{
  va_list ap;
  run++;
  printf("ok %d # skip ", run);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

void bail(const char *fmt, ...)
{
  va_list ap;
  fputs("Bail out! ", stdout);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
  exit(255);
}

int exit_status(void)
{
  if (planned >= 0 && run != planned) {
    diag("planned %d tests but ran %d", planned, run);
    return 1;
  }
  return failed ? 1 : 0;
}

const char *tap_srcpath(const char *rel)
{
  static char buf[4096];
  const char *top = getenv("top_srcdir");
  snprintf(buf, sizeof buf, "%s/%s", top && *top ? top : ".", rel);
  return buf;
}
