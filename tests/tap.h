/* tap.h -- a small Test Anything Protocol helper (after rra/c-tap-harness).
 *
 *   plan(3);
 *   ok(x > 0, "x is positive");
 *   is_double(got, want, 1e-12, "sigmoid(0)");   relative tolerance
 *   is_double_abs(got, want, 1e-15, "h[3]");      absolute tolerance
 *   is_int(got, want, "count");
 *   is_string(got, want, "message");
 *   diag("a note"); skip("why");
 *   return exit_status();
 *
 * A failure prints both values as a TAP diagnostic. */
#ifndef GRULAB_TAP_H
#define GRULAB_TAP_H

#include <stddef.h>

void plan(int n);
void plan_lazy(void);             /* print the plan at exit: "1..N" */
int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Relative: |got - want| <= tol * |want|.  When want == 0 no relative
 * error exists, and the test is |got| <= tol.  Equal infinities pass;
 * NaN never passes. */
int is_double(double got, double want, double tol, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
/* Absolute: |got - want| <= tol, for values whose natural scale is not
 * their own size (e.g. entries that should be 0 up to rounding). */
int is_double_abs(double got, double want, double tol, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
int is_int(long got, long want, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
int is_string(const char *got, const char *want, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* 0 if every planned test ran and passed, 1 otherwise. */
int exit_status(void);
/* $top_srcdir/rel (or ./rel when unset), in a static buffer. */
const char *tap_srcpath(const char *rel);

#endif
